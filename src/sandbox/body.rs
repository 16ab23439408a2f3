//! Request bodies as streams of data frames: counted for the log, discarded before an
//! early answer, handed out one frame at a time.

use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;
use std::time::Duration;

use bytes::Bytes;
use futures_util::StreamExt;
use hyper::body::Incoming;

/// A body being discarded is given up after this long without a byte.
const DISCARD_IDLE: Duration = Duration::from_secs(10);

/// Reads and forgets the rest of a body before an early answer: closing a connection
/// with unread data resets it, and the client would never see the answer.
pub async fn discard<S>(mut frames: S)
where
    S: futures_util::Stream<Item = Result<Bytes, hyper::Error>> + Unpin,
{
    while let Ok(Some(Ok(_))) = tokio::time::timeout(DISCARD_IDLE, frames.next()).await {}
}

/// A body's data frames as a stream, counted into `received` for the log.
pub fn data_frames(
    body: Incoming,
    received: &Arc<AtomicU64>,
) -> impl futures_util::Stream<Item = Result<Bytes, hyper::Error>> + Unpin + Send {
    let received = received.clone();
    http_body_util::BodyStream::new(body)
        .filter_map(move |frame| {
            let item = match frame {
                Ok(frame) => frame.into_data().ok().map(|data| {
                    received.fetch_add(data.len() as u64, Ordering::Relaxed);
                    Ok(data)
                }),
                Err(error) => Some(Err(error)),
            };
            std::future::ready(item)
        })
        .boxed()
}

/// A stream that waits a turn after each item: multer pulls from its stream until it
/// would wait, and a fast client must not fill its buffer.
pub fn one_at_a_time<S>(mut inner: S) -> impl futures_util::Stream<Item = S::Item> + Unpin + Send
where
    S: futures_util::Stream + Unpin + Send,
{
    let mut just_yielded = false;
    futures_util::stream::poll_fn(move |cx| {
        if std::mem::take(&mut just_yielded) {
            cx.waker().wake_by_ref();
            return std::task::Poll::Pending;
        }
        let item = inner.poll_next_unpin(cx);
        just_yielded = matches!(item, std::task::Poll::Ready(Some(_)));
        item
    })
}
