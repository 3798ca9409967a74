//! The RPC-level middleware: batches and notifications as API.md section 2
//! wants them.
//!
//! jsonrpsee's own batch loop calls the inner service directly and drops
//! notifications unrun. Here batch entries go back through `call` one by one,
//! in order (each its own transaction), notifications run and answer nothing,
//! and a batch over the limit answers one error object with code 1013.

use jsonrpsee::core::middleware::{Batch, BatchEntry, Notification, RpcServiceT};
use jsonrpsee::server::{BatchResponseBuilder, MethodResponse};
use jsonrpsee::types::{Id, Request, TwoPointZero};
use tower::Layer;

use super::dispatch::RequestMeta;
use crate::error::AppError;

/// Largest batch response in bytes (100 pages of 1000 rows fit).
const MAX_BATCH_RESPONSE_BYTES: usize = 64 * 1024 * 1024;

/// Layer for [`CallService`].
#[derive(Clone, Copy, Debug)]
pub struct CallLayer {
    pub max_batch: usize,
}

impl<S> Layer<S> for CallLayer {
    type Service = CallService<S>;

    fn layer(&self, inner: S) -> Self::Service {
        CallService { inner, max_batch: self.max_batch }
    }
}

/// See the module docs.
#[derive(Clone, Debug)]
pub struct CallService<S> {
    inner: S,
    max_batch: usize,
}

impl<S> RpcServiceT for CallService<S>
where
    S: RpcServiceT<
            MethodResponse = MethodResponse,
            BatchResponse = MethodResponse,
            NotificationResponse = MethodResponse,
        > + Clone
        + Send
        + Sync
        + 'static,
{
    type MethodResponse = MethodResponse;
    type BatchResponse = MethodResponse;
    type NotificationResponse = MethodResponse;

    fn call<'a>(&self, request: Request<'a>) -> impl Future<Output = Self::MethodResponse> + Send + 'a {
        let id = request.id.clone().into_owned();
        let pending = self.inner.call(request);
        async move {
            let mut response = pending.await;
            // jsonrpsee's own -32601 carries no data; every error object does (API.md section 4).
            if response.as_error_code() == Some(AppError::MethodNotFound.code()) {
                response =
                    MethodResponse::error(id, jsonrpsee::types::ErrorObjectOwned::from(AppError::MethodNotFound));
            }
            // A single call over the limit answers HTTP 429; batch entries drop this mark.
            if response.as_error_code() == Some(AppError::RateLimited.code()) {
                response.extensions_mut().insert(RateLimited);
            }
            response
        }
    }

    fn batch<'a>(&self, batch: Batch<'a>) -> impl Future<Output = Self::BatchResponse> + Send + 'a {
        let service = self.clone();
        async move {
            if batch.len() > service.max_batch {
                let err = AppError::TooLarge(format!("a batch holds at most {} entries", service.max_batch));
                return MethodResponse::error(Id::Null, jsonrpsee::types::ErrorObjectOwned::from(err));
            }
            let mut responses = BatchResponseBuilder::new_with_limit(MAX_BATCH_RESPONSE_BYTES);
            let mut got_notification = false;
            // Consecutive writes the write queue can group are sent together (in
            // order), so they share one transaction instead of one each.
            let mut run: Vec<Request<'a>> = Vec::new();
            for entry in batch {
                if let Ok(BatchEntry::Call(request)) = &entry
                    && groupable(request)
                {
                    if let Ok(BatchEntry::Call(mut request)) = entry {
                        forget_header_key(&mut request.extensions);
                        run.push(request);
                    }
                    continue;
                }
                if let Err(too_big) = flush_run(&service, &mut run, &mut responses).await {
                    return too_big;
                }
                match entry {
                    Ok(BatchEntry::Call(mut request)) => {
                        forget_header_key(&mut request.extensions);
                        let mut response = service.call(request).await;
                        response.extensions_mut().remove::<RateLimited>();
                        if let Err(too_big) = responses.append(response) {
                            return too_big;
                        }
                    }
                    Ok(BatchEntry::Notification(mut notification)) => {
                        got_notification = true;
                        forget_header_key(&mut notification.extensions);
                        service.notification(notification).await;
                    }
                    Err(err) => {
                        let (err, id) = err.into_parts();
                        if let Err(too_big) = responses.append(MethodResponse::error(id, err)) {
                            return too_big;
                        }
                    }
                }
            }
            if let Err(too_big) = flush_run(&service, &mut run, &mut responses).await {
                return too_big;
            }
            if responses.is_empty() && got_notification {
                silent()
            } else {
                MethodResponse::from_batch(responses.finish())
            }
        }
    }

    fn notification<'a>(
        &self,
        notification: Notification<'a>,
    ) -> impl Future<Output = Self::NotificationResponse> + Send + 'a {
        let request = Request {
            jsonrpc: TwoPointZero,
            id: Id::Null,
            method: notification.method,
            params: notification.params,
            extensions: notification.extensions,
        };
        let inner = self.inner.clone();
        async move {
            let _ = inner.call(request).await;
            silent()
        }
    }
}

/// True for a call the write queue groups: its method is marked `bulk` and it
/// carries no idempotency key or dry run (those take the one-by-one path).
fn groupable(request: &Request<'_>) -> bool {
    let bulk = crate::rpc::method(&request.method).is_some_and(|spec| spec.grouped);
    bulk && request.params.as_ref().is_none_or(|p| {
        let text = p.get().to_ascii_uppercase();
        !text.contains("IDEMPOTENCY_KEY") && !text.contains("DRY_RUN")
    })
}

/// Runs the collected groupable calls together and appends their answers in order.
async fn flush_run<'a, S>(
    service: &CallService<S>,
    run: &mut Vec<Request<'a>>,
    responses: &mut BatchResponseBuilder,
) -> Result<(), MethodResponse>
where
    S: RpcServiceT<
            MethodResponse = MethodResponse,
            BatchResponse = MethodResponse,
            NotificationResponse = MethodResponse,
        > + Clone
        + Send
        + Sync
        + 'static,
{
    if run.is_empty() {
        return Ok(());
    }
    // `join_all` polls the calls first in their order, and each is queued on
    // its first poll, so the queue sees them in batch order.
    let answers = futures::future::join_all(run.drain(..).map(|request| service.call(request))).await;
    for mut response in answers {
        response.extensions_mut().remove::<RateLimited>();
        responses.append(response)?;
    }
    Ok(())
}

/// Marks a single call refused by the rate limit: the gateway answers HTTP 429.
#[derive(Clone, Copy, Debug)]
pub struct RateLimited;

/// Marks a response that must go out as an empty body: jsonrpsee would
/// write `null` for a notification, JSON-RPC wants nothing at all.
#[derive(Clone, Copy, Debug)]
pub struct NoContent;

fn silent() -> MethodResponse {
    let mut response = MethodResponse::notification();
    response.extensions_mut().insert(NoContent);
    response
}

/// The `Idempotency-Key` header names one call; inside a batch it would tie
/// every entry to the same key, so batch entries ignore it.
fn forget_header_key(extensions: &mut jsonrpsee::Extensions) {
    if let Some(meta) = extensions.get_mut::<RequestMeta>() {
        meta.idempotency_key = None;
    }
}
