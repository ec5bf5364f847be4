//! The gzip stream an export file is stored as: ISA-L's level 1 (igzip), one gzip member
//! per file.
//!
//! Compressing was the largest cost of an export after rendering itself. On the
//! benchmark's EOB NDJSON, igzip level 1 compresses about 3x as fast as zlib-rs at level
//! 1 (2.6 GB/s against 0.8 GB/s, one core, in the 64 KiB pieces [`crate::render::Lines`]
//! hands over) and its files are 30% smaller (24:1 against 17:1), which the store, the
//! file server and every gzip client also gain. The output is ordinary gzip: any
//! decoder reads it.

use std::io::{self, Write};

use isal::write::Encoder;
use isal::{Codec, CompressionLevel};

/// A gzip stream whose compressed bytes collect in memory for the caller to take and
/// upload as they come. Nothing is produced before the first write.
pub struct GzipStream {
    /// Boxed: the encoder's state is 82 KB, and the stream moves to a blocking thread and
    /// back for every chunk.
    encoder: Box<Encoder<Vec<u8>>>,
}

// SAFETY: the encoder is not `Send` only because ISA-L's stream struct holds raw
// pointers: `next_in`/`next_out` (set from the caller's slices for the length of one
// `isal_deflate` call, never read between calls), `level_buf` (the encoder's own heap
// buffer, which moves with it) and `hufftables` (ISA-L's static, read-only default
// tables). ISA-L ties no state to a thread (its only global state is the table of CPU-
// specific functions it fills on first use), so a stream owned by one thread at a time
// may move between threads; `GzipStream` gives out no shared access.
#[allow(unsafe_code)]
unsafe impl Send for GzipStream {}

impl std::fmt::Debug for GzipStream {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("GzipStream")
            .field("pending", &self.encoder.get_ref().len())
            .finish_non_exhaustive()
    }
}

impl Default for GzipStream {
    fn default() -> Self {
        GzipStream::new()
    }
}

impl GzipStream {
    /// A new stream at igzip level 1.
    pub fn new() -> GzipStream {
        GzipStream {
            encoder: Box::new(Encoder::new(Vec::new(), CompressionLevel::One, Codec::Gzip)),
        }
    }

    /// The compressed bytes produced since the last call.
    pub fn take_compressed(&mut self) -> Vec<u8> {
        std::mem::take(self.encoder.get_ref_mut())
    }

    /// Ends the stream (last block and gzip trailer); returns the bytes not yet taken.
    pub fn finish(self) -> io::Result<Vec<u8>> {
        // The encoder's `flush` is what ends its gzip member.
        self.encoder.finish()
    }

    /// `bytes` as one whole gzip stream.
    pub fn compress(bytes: &[u8]) -> io::Result<Vec<u8>> {
        let mut stream = GzipStream::new();
        stream.write_all(bytes)?;
        stream.finish()
    }
}

impl Write for GzipStream {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        self.encoder.write(buf)
    }

    /// Does nothing: the encoder's own `flush` ends the gzip member, and a file of several
    /// members is cut short by decoders that read only the first (flate2's `GzDecoder`
    /// among them). The stream ends with [`GzipStream::finish`].
    fn flush(&mut self) -> io::Result<()> {
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]

    use std::io::Read as _;

    use super::*;

    /// Lines like an export's, repetitive but not uniform, `count` of them.
    fn ndjson(count: usize) -> Vec<u8> {
        (0..count)
            .map(|i| {
                format!(
                    "{{\"resourceType\":\"ExplanationOfBenefit\",\"id\":\"carrier-{i}\",\"total\":{}}}\n",
                    i * 7919 % 100_003
                )
            })
            .collect::<String>()
            .into_bytes()
    }

    /// Decodes exactly one gzip member, as single-member decoders do.
    fn gunzip_first_member(bytes: &[u8]) -> Vec<u8> {
        let mut out = Vec::new();
        flate2::read::GzDecoder::new(bytes)
            .read_to_end(&mut out)
            .unwrap();
        out
    }

    #[test]
    fn pieces_taken_as_they_come_make_one_gzip_member_of_every_byte() {
        let input = ndjson(200_000);
        let mut stream = GzipStream::new();
        let mut stored = Vec::new();
        // Uneven pieces, flushed between them as a caller might; the output is taken
        // part way through, as the worker uploads it.
        for piece in input.chunks(65_537) {
            stream.write_all(piece).unwrap();
            stream.flush().unwrap();
            stored.extend(stream.take_compressed());
        }
        stored.extend(stream.finish().unwrap());

        assert_eq!(gunzip_first_member(&stored), input);
        assert!(
            stored.len() * 10 < input.len(),
            "{} bytes compressed to {}",
            input.len(),
            stored.len()
        );
    }

    #[test]
    fn nothing_is_produced_before_the_first_write() {
        let mut stream = GzipStream::new();
        assert!(stream.take_compressed().is_empty());
    }

    #[test]
    fn compress_makes_a_whole_stream() {
        let input = ndjson(10);
        assert_eq!(
            gunzip_first_member(&GzipStream::compress(&input).unwrap()),
            input
        );
    }
}
