//! Response bodies streamed from storage: the stored gzip bytes as they are, or
//! decompressed on the way out; either may be cut to a byte range. Memory stays bounded
//! by a storage chunk and its decompression, whatever the file size.

use std::io::Write as _;
use std::ops::Range;
use std::pin::Pin;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};

use bytes::Bytes;
use flate2::write::GzDecoder;
use futures::{Stream, StreamExt};

/// A body stream as actix-web takes it.
pub type BodyStream = Pin<Box<dyn Stream<Item = Result<Bytes, std::io::Error>>>>;

/// Stored bytes, unchanged.
pub fn stored(
    chunks: impl Stream<Item = Result<Bytes, std::io::Error>> + 'static,
    sent: Arc<AtomicU64>,
) -> BodyStream {
    Box::pin(chunks.map(move |chunk| {
        if let Ok(bytes) = &chunk {
            sent.fetch_add(bytes.len() as u64, Ordering::Relaxed);
        }
        chunk
    }))
}

/// Compressed bytes fed to the decoder at a time. Export NDJSON compresses about 15 to 20
/// times, so each piece of output stays around 150 kB however large the storage chunks
/// are; with whole chunks, 20 concurrent plain downloads peaked at 290 MB of RSS.
const INPUT_PIECE: usize = 8 * 1024;

/// The decompression of `compressed`, cut to `range` of the decompressed bytes.
pub fn decompressed(
    compressed: impl Stream<Item = Result<Bytes, std::io::Error>> + 'static,
    range: Range<u64>,
    sent: Arc<AtomicU64>,
) -> BodyStream {
    struct State<S> {
        input: Pin<Box<S>>,
        /// Compressed bytes received but not yet decoded.
        pending: Bytes,
        decoder: Option<GzDecoder<Vec<u8>>>,
        /// Decompressed bytes still to drop before the range starts.
        skip: u64,
        /// Bytes of the range still to send.
        left: u64,
        sent: Arc<AtomicU64>,
    }
    let state = State {
        input: Box::pin(compressed),
        pending: Bytes::new(),
        decoder: Some(GzDecoder::new(Vec::new())),
        skip: range.start,
        left: range.end - range.start,
        sent,
    };
    Box::pin(futures::stream::unfold(state, |mut state| async move {
        loop {
            if state.left == 0 {
                return None;
            }
            if state.pending.is_empty() && state.decoder.is_some() {
                match state.input.next().await {
                    Some(Ok(chunk)) => state.pending = chunk,
                    Some(Err(e)) => {
                        state.left = 0;
                        return Some((Err(e), state));
                    }
                    None => {}
                }
            }
            let produced = if state.pending.is_empty() {
                // The input is over: flush what the decoder still holds.
                match state.decoder.take() {
                    Some(decoder) => decoder.finish(),
                    None => return None,
                }
            } else {
                let piece = state.pending.split_to(state.pending.len().min(INPUT_PIECE));
                let decoder = state.decoder.as_mut()?;
                decoder
                    .write_all(&piece)
                    .map(|()| std::mem::take(decoder.get_mut()))
            };
            let mut output = match produced {
                Ok(output) => output,
                Err(e) => {
                    state.left = 0;
                    return Some((Err(e), state));
                }
            };
            let dropped = state.skip.min(output.len() as u64) as usize;
            state.skip -= dropped as u64;
            output.drain(..dropped);
            output.truncate(state.left.min(output.len() as u64) as usize);
            if output.is_empty() {
                continue;
            }
            state.left -= output.len() as u64;
            state.sent.fetch_add(output.len() as u64, Ordering::Relaxed);
            return Some((Ok(Bytes::from(output)), state));
        }
    }))
}

#[cfg(test)]
mod tests {
    use super::*;
    use flate2::Compression;
    use flate2::write::GzEncoder;

    fn compressed_chunks(text: &[u8], chunk: usize) -> Vec<Result<Bytes, std::io::Error>> {
        let mut encoder = GzEncoder::new(Vec::new(), Compression::fast());
        encoder.write_all(text).unwrap();
        let gz = encoder.finish().unwrap();
        gz.chunks(chunk)
            .map(|c| Ok(Bytes::copy_from_slice(c)))
            .collect()
    }

    async fn collect(stream: BodyStream) -> Vec<u8> {
        let chunks: Vec<_> = stream.collect().await;
        chunks
            .into_iter()
            .flat_map(|c| c.unwrap().to_vec())
            .collect()
    }

    #[tokio::test]
    async fn any_range_of_the_decompressed_file_is_exact() {
        let text: Vec<u8> = (0..20_000)
            .flat_map(|n| format!("{{\"line\":{n}}}\n").into_bytes())
            .collect();
        let length = text.len() as u64;
        for range in [
            0..length,
            0..1,
            5..17,
            1000..200_000.min(length),
            length - 3..length,
        ] {
            let sent = Arc::new(AtomicU64::new(0));
            let body = decompressed(
                futures::stream::iter(compressed_chunks(&text, 777)),
                range.clone(),
                sent.clone(),
            );
            let got = collect(body).await;
            assert_eq!(
                got,
                &text[range.start as usize..range.end as usize],
                "{range:?}"
            );
            assert_eq!(sent.load(Ordering::Relaxed), range.end - range.start);
        }
    }

    #[tokio::test]
    async fn corrupt_input_ends_the_body_with_an_error() {
        let chunks = vec![Ok(Bytes::from_static(b"not gzip at all"))];
        let body = decompressed(
            futures::stream::iter(chunks),
            0..100,
            Arc::new(AtomicU64::new(0)),
        );
        let items: Vec<_> = body.collect().await;
        assert!(items.iter().any(Result::is_err));
    }
}
