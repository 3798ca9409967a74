//! Whether a SQLite database file still holds a database, read without
//! touching the locks of this process's connections.
//!
//! SQLite's locks are POSIX advisory locks, which belong to a process and a
//! file: closing *any* descriptor of the file drops every lock the process
//! holds on it, those of SQLite's own connections included. Their shared lock
//! on the database file is what tells another process's last connection that
//! it is not the last one; without it, `recur tenant create` next to a
//! serving process took the exclusive lock when it closed, checkpointed and
//! deleted the WAL and shared-memory files under the server's open
//! connections, whose later commits went into a deleted file. So a file is
//! opened once per process and never closed, and each probe reads the header
//! through that descriptor.

use std::collections::HashMap;
use std::fs::File;
use std::os::unix::fs::{FileExt, MetadataExt};
use std::sync::{Arc, Mutex, OnceLock};

/// The first 16 bytes of every SQLite database file.
const HEADER: &[u8; 16] = b"SQLite format 3\0";

/// Descriptors opened by [`holds_a_database`], by path; never closed.
static OPEN: OnceLock<Mutex<HashMap<String, Arc<File>>>> = OnceLock::new();

/// True when the file at `path` is the one first probed (not replaced by
/// another) and begins with SQLite's header. A pooled connection may answer
/// from its page cache for a while after the file was overwritten; the header
/// tells at once.
pub fn holds_a_database(path: &str) -> bool {
    let Some(file) = held(path) else { return false };
    // Replaced (renamed over, deleted): the descriptor still names the old file.
    let same = match (std::fs::metadata(path), file.metadata()) {
        (Ok(now), Ok(held)) => (now.dev(), now.ino()) == (held.dev(), held.ino()),
        _ => false,
    };
    let mut header = [0u8; 16];
    same && file.read_exact_at(&mut header, 0).is_ok() && &header == HEADER
}

/// The descriptor of `path`, opened on first use.
fn held(path: &str) -> Option<Arc<File>> {
    let mut open = OPEN.get_or_init(|| Mutex::new(HashMap::new())).lock().ok()?;
    if let Some(file) = open.get(path) {
        return Some(file.clone());
    }
    let file = Arc::new(File::open(path).ok()?);
    open.insert(path.to_owned(), file.clone());
    Some(file)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_database_passes_and_an_overwritten_or_replaced_file_fails() {
        let dir = tempfile::tempdir().expect("dir");
        let path = dir.path().join("x.db");
        let path_text = path.to_str().expect("utf-8");
        assert!(!holds_a_database(path_text), "no file yet");
        std::fs::write(&path, [HEADER.as_slice(), &[0u8; 100]].concat()).expect("write");
        assert!(holds_a_database(path_text));
        std::fs::write(&path, vec![0u8; 116]).expect("overwrite");
        assert!(!holds_a_database(path_text), "overwritten in place");
        std::fs::write(&path, [HEADER.as_slice(), &[0u8; 100]].concat()).expect("write");
        assert!(holds_a_database(path_text));
        let other = dir.path().join("y.db");
        std::fs::write(&other, [HEADER.as_slice(), &[0u8; 100]].concat()).expect("write");
        std::fs::rename(&other, &path).expect("rename");
        assert!(!holds_a_database(path_text), "replaced by another file");
    }
}
