//! Just enough HTTP/1.1 for the load client: build a `POST /rpc` request and
//! parse one response (status line, `Content-Length` or chunked body).
//!
//! Pure functions over byte slices, so the parser is unit-tested without a
//! socket. A response that is not complete yet parses as `Ok(None)`.

use std::fmt;

/// One parsed response.
#[derive(Debug, PartialEq, Eq)]
pub struct Response {
    pub status: u16,
    pub body: Vec<u8>,
    /// The server said `Connection: close`: open a new connection for the next request.
    pub close: bool,
}

impl Response {
    /// HTTP 200 and no JSON-RPC error object anywhere in the body (batches included).
    pub fn is_success(&self) -> bool {
        // `ERRORS`: the FastBill endpoint answers its errors with HTTP 200.
        self.status == 200 && !contains(&self.body, br#""error""#) && !contains(&self.body, br#""ERRORS""#)
    }
}

/// A response this parser cannot read.
#[derive(Debug, PartialEq, Eq)]
pub struct ParseError(pub &'static str);

impl fmt::Display for ParseError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "unreadable HTTP response: {}", self.0)
    }
}

impl std::error::Error for ParseError {}

/// The bytes of `POST /rpc` with a JSON body and, when given, a bearer key.
pub fn post_rpc(host: &str, key: Option<&str>, body: &str) -> Vec<u8> {
    let auth = key.map(|k| format!("Bearer {k}"));
    post(host, "/rpc", auth.as_deref(), body)
}

/// The bytes of `POST path` with a JSON body and, when given, an `Authorization` value.
pub fn post(host: &str, path: &str, authorization: Option<&str>, body: &str) -> Vec<u8> {
    let auth = authorization.map(|a| format!("Authorization: {a}\r\n")).unwrap_or_default();
    let head = format!(
        "POST {path} HTTP/1.1\r\nHost: {host}\r\nContent-Type: application/json\r\n{auth}Content-Length: {}\r\n\r\n",
        body.len()
    );
    let mut out = Vec::with_capacity(head.len() + body.len());
    out.extend_from_slice(head.as_bytes());
    out.extend_from_slice(body.as_bytes());
    out
}

enum Framing {
    Length(usize),
    Chunked,
    Empty,
}

/// Parses the first response in `buf`: the response and the bytes it used,
/// `None` while more bytes are needed.
pub fn parse_response(buf: &[u8]) -> Result<Option<(Response, usize)>, ParseError> {
    let Some(head_end) = find(buf, b"\r\n\r\n", 0) else {
        return Ok(None);
    };
    let head = std::str::from_utf8(&buf[..head_end]).map_err(|_| ParseError("head is not UTF-8"))?;
    let mut lines = head.split("\r\n");
    let status_line = lines.next().unwrap_or_default();
    let mut parts = status_line.split(' ');
    if !parts.next().is_some_and(|v| v.starts_with("HTTP/1.")) {
        return Err(ParseError("no HTTP/1.x status line"));
    }
    let status: u16 = parts.next().and_then(|s| s.parse().ok()).ok_or(ParseError("bad status code"))?;
    let mut length = None;
    let mut chunked = false;
    let mut close = false;
    for line in lines {
        let (name, value) = line.split_once(':').ok_or(ParseError("header without a colon"))?;
        let value = value.trim();
        if name.eq_ignore_ascii_case("content-length") {
            length = Some(value.parse::<usize>().map_err(|_| ParseError("bad Content-Length"))?);
        } else if name.eq_ignore_ascii_case("transfer-encoding") {
            chunked = value.to_ascii_lowercase().contains("chunked");
        } else if name.eq_ignore_ascii_case("connection") {
            close = value.eq_ignore_ascii_case("close");
        }
    }
    let framing = match (status, chunked, length) {
        (100..=199 | 204 | 304, _, _) => Framing::Empty,
        (_, true, _) => Framing::Chunked,
        (_, false, Some(n)) => Framing::Length(n),
        (_, false, None) => return Err(ParseError("body delimited by connection close is not supported")),
    };
    let start = head_end + 4;
    let parsed = match framing {
        Framing::Empty => Some((Vec::new(), start)),
        Framing::Length(n) => buf.get(start..start + n).map(|body| (body.to_vec(), start + n)),
        Framing::Chunked => parse_chunked(buf, start)?,
    };
    Ok(parsed.map(|(body, used)| (Response { status, body, close }, used)))
}

/// A chunked body starting at `pos`: the body and the end of the message.
fn parse_chunked(buf: &[u8], mut pos: usize) -> Result<Option<(Vec<u8>, usize)>, ParseError> {
    let mut body = Vec::new();
    loop {
        let Some(line_end) = find(buf, b"\r\n", pos) else {
            return Ok(None);
        };
        let line = std::str::from_utf8(&buf[pos..line_end]).map_err(|_| ParseError("chunk size is not UTF-8"))?;
        let size_text = line.split(';').next().unwrap_or_default().trim();
        let size = usize::from_str_radix(size_text, 16).map_err(|_| ParseError("bad chunk size"))?;
        pos = line_end + 2;
        if size == 0 {
            // Trailers (rare) end with an empty line, like the head.
            if buf.get(pos..pos + 2) == Some(b"\r\n".as_slice()) {
                return Ok(Some((body, pos + 2)));
            }
            return Ok(find(buf, b"\r\n\r\n", pos).map(|end| (body, end + 4)));
        }
        let Some(chunk) = buf.get(pos..pos + size) else {
            return Ok(None);
        };
        body.extend_from_slice(chunk);
        pos += size;
        match buf.get(pos..pos + 2) {
            None | Some([b'\r']) => return Ok(None),
            Some(b"\r\n") => pos += 2,
            Some(_) => return Err(ParseError("chunk not followed by CRLF")),
        }
    }
}

fn find(haystack: &[u8], needle: &[u8], from: usize) -> Option<usize> {
    haystack.get(from..)?.windows(needle.len()).position(|w| w == needle).map(|i| i + from)
}

fn contains(haystack: &[u8], needle: &[u8]) -> bool {
    find(haystack, needle, 0).is_some()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parsed(text: &str) -> (Response, usize) {
        parse_response(text.as_bytes()).expect("parses").expect("complete")
    }

    #[test]
    fn a_content_length_response_parses_and_leaves_the_next_one() {
        let two = "HTTP/1.1 200 OK\r\ncontent-type: application/json\r\ncontent-length: 5\r\n\r\nhelloHTTP/1.1 200";
        let (response, used) = parsed(two);
        assert_eq!(response, Response { status: 200, body: b"hello".to_vec(), close: false });
        assert_eq!(&two[used..], "HTTP/1.1 200");
        assert!(response.is_success());
    }

    #[test]
    fn an_incomplete_response_asks_for_more_bytes() {
        for partial in ["HTTP/1.1 200 OK\r\ncontent-len", "HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\nhel"] {
            assert_eq!(parse_response(partial.as_bytes()), Ok(None), "{partial}");
        }
        assert_eq!(parse_response(b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhel"), Ok(None));
        assert_eq!(parse_response(b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhello\r"), Ok(None));
    }

    #[test]
    fn a_chunked_response_is_joined() {
        let text = "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\nConnection: close\r\n\r\n5\r\nhello\r\n7;x=y\r\n, world\r\n0\r\n\r\nrest";
        let (response, used) = parsed(text);
        assert_eq!(response.body, b"hello, world");
        assert!(response.close);
        assert_eq!(&text[used..], "rest");
    }

    #[test]
    fn errors_and_no_content_are_told_apart() {
        let (error, _) = parsed("HTTP/1.1 200 OK\r\nContent-Length: 28\r\n\r\n{\"error\":{\"code\":-32602}}   ");
        assert!(!error.is_success());
        let (unauthorized, _) = parsed("HTTP/1.1 401 Unauthorized\r\nContent-Length: 2\r\n\r\n{}");
        assert!(!unauthorized.is_success());
        let (empty, used) = parsed("HTTP/1.1 204 No Content\r\n\r\n");
        assert_eq!((empty.body.len(), used), (0, 27));
    }

    #[test]
    fn garbage_is_refused() {
        assert!(parse_response(b"SMTP ready\r\n\r\n").is_err());
        assert!(parse_response(b"HTTP/1.1 200 OK\r\nContent-Length: x\r\n\r\n").is_err());
        assert!(parse_response(b"HTTP/1.1 200 OK\r\n\r\n").is_err());
    }

    #[test]
    fn a_request_carries_its_length_and_key() {
        let request = String::from_utf8(post_rpc("127.0.0.1:1", Some("rk_x"), "{}")).expect("utf-8");
        assert!(request.starts_with("POST /rpc HTTP/1.1\r\nHost: 127.0.0.1:1\r\n"));
        assert!(request.contains("Authorization: Bearer rk_x\r\n"));
        assert!(request.ends_with("Content-Length: 2\r\n\r\n{}"));
        assert!(!String::from_utf8(post_rpc("h", None, "")).expect("utf-8").contains("Authorization"));
    }
}
