//! Splits a byte stream into lines the way Kafka's `FileStreamSourceTask.extractLine` does,
//! keeping every byte it has not handed out yet, so that the source task's `poll` can be
//! dropped at any await point without losing or repeating data.
//!
//! A line ends at `\n`, at `\r\n` or at a lone `\r` (as `BufferedReader.readLine` and Kafka's
//! own splitter treat them). A `\r` that is the last byte seen so far is not decided yet: the
//! next byte says whether it is `\r\n` (one terminator) or `\r` followed by the next line. The
//! terminator is not part of the line. Bytes after the last terminator (a partial line) stay
//! buffered until their terminator arrives.

use std::collections::VecDeque;

/// Bytes read but not yet handed out, with the complete lines found in them.
#[derive(Debug, Default)]
pub(crate) struct LineBuffer {
    /// Buffered bytes; `data[0]` is at stream position `base`.
    data: Vec<u8>,
    /// The stream position of `data[0]`: the position after the last line handed out.
    base: u64,
    /// `data[..scanned]` has been searched for terminators.
    scanned: usize,
    /// Complete lines not handed out yet, as `(content_end, next_line_start)` indices into
    /// `data`, in order. The first line starts at 0, each later one at the previous one's
    /// `next_line_start`.
    ready: VecDeque<(usize, usize)>,
}

impl LineBuffer {
    /// An empty buffer whose first byte will be at stream position `base`.
    pub(crate) fn starting_at(base: u64) -> Self {
        LineBuffer {
            base,
            ..LineBuffer::default()
        }
    }

    /// The stream position after the last line handed out.
    pub(crate) fn position(&self) -> u64 {
        self.base
    }

    /// How many complete lines are waiting.
    pub(crate) fn ready_lines(&self) -> usize {
        self.ready.len()
    }

    /// How many bytes are buffered (complete lines and the partial line).
    #[cfg(test)]
    pub(crate) fn buffered_bytes(&self) -> usize {
        self.data.len()
    }

    /// The vector to read more bytes into (append only), with at least `min_spare` bytes of
    /// spare capacity. Call [`LineBuffer::scan`] after appending.
    pub(crate) fn read_target(&mut self, min_spare: usize) -> &mut Vec<u8> {
        if self.data.capacity() - self.data.len() < min_spare {
            self.data.reserve(min_spare);
        }
        &mut self.data
    }

    /// Appends bytes (for callers that do not read into [`LineBuffer::read_target`]).
    #[cfg(test)]
    pub(crate) fn extend(&mut self, bytes: &[u8]) {
        self.data.extend_from_slice(bytes);
        self.scan();
    }

    /// Finds the complete lines among the bytes appended since the last scan. Idempotent.
    pub(crate) fn scan(&mut self) {
        let len = self.data.len();
        let mut i = self.scanned;
        while i < len {
            let Some(found) = memchr::memchr2(b'\n', b'\r', &self.data[i..]) else {
                i = len;
                break;
            };
            let at = i + found;
            if self.data[at] == b'\n' {
                self.ready.push_back((at, at + 1));
                i = at + 1;
            } else if at + 1 < len {
                let next = if self.data[at + 1] == b'\n' {
                    at + 2
                } else {
                    at + 1
                };
                self.ready.push_back((at, next));
                i = next;
            } else {
                // A trailing `\r`: wait for the next byte to know whether `\n` follows.
                i = at;
                break;
            }
        }
        self.scanned = i;
    }

    /// Hands out up to `max` complete lines, each with the stream position after its
    /// terminator. Invalid UTF-8 is replaced with U+FFFD, as Java's decoder does.
    pub(crate) fn take_lines(&mut self, max: usize) -> Vec<(String, u64)> {
        let count = max.min(self.ready.len());
        let mut lines = Vec::with_capacity(count);
        let mut start = 0;
        for (content_end, next) in self.ready.drain(..count) {
            let bytes = &self.data[start..content_end];
            // Validation alone is several times faster than the lossy decoder's chunking;
            // only a line with invalid bytes pays for the replacement.
            let text = match std::str::from_utf8(bytes) {
                Ok(text) => text.to_owned(),
                Err(_) => String::from_utf8_lossy(bytes).into_owned(),
            };
            lines.push((text, self.base + next as u64));
            start = next;
        }
        if start > 0 {
            self.data.drain(..start);
            self.base += start as u64;
            self.scanned -= start;
            for (content_end, next) in self.ready.iter_mut() {
                *content_end -= start;
                *next -= start;
            }
        }
        lines
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn lines(buffer: &mut LineBuffer) -> Vec<(String, u64)> {
        buffer.take_lines(usize::MAX)
    }

    #[test]
    fn splits_like_kafka_with_positions() {
        // The sequence of Kafka's FileStreamSourceTaskTest.testNormalLifecycle.
        let mut buffer = LineBuffer::starting_at(0);
        buffer.extend(b"partial line");
        assert!(lines(&mut buffer).is_empty());
        buffer.extend(b" finished\n");
        assert_eq!(
            lines(&mut buffer),
            vec![("partial line finished".to_string(), 22)]
        );
        buffer.extend(b"line1\rline2\r\nline3\nline4\n\r");
        assert_eq!(
            lines(&mut buffer),
            vec![
                ("line1".to_string(), 28),
                ("line2".to_string(), 35),
                ("line3".to_string(), 41),
                ("line4".to_string(), 47),
            ]
        );
        // The final `\r` is undecided until the next byte arrives.
        assert_eq!(buffer.ready_lines(), 0);
        buffer.extend(b"subsequent text");
        assert_eq!(lines(&mut buffer), vec![(String::new(), 48)]);
        assert_eq!(buffer.position(), 48);
        assert_eq!(buffer.buffered_bytes(), "subsequent text".len());
    }

    #[test]
    fn crlf_split_across_reads_is_one_terminator() {
        let mut buffer = LineBuffer::starting_at(10);
        buffer.extend(b"a\r");
        assert_eq!(buffer.ready_lines(), 0);
        buffer.extend(b"\nb\n");
        assert_eq!(
            lines(&mut buffer),
            vec![("a".to_string(), 13), ("b".to_string(), 15)]
        );
    }

    #[test]
    fn take_respects_max_and_keeps_the_rest() {
        let mut buffer = LineBuffer::starting_at(0);
        buffer.extend(b"1\n22\n333\n44");
        assert_eq!(
            buffer.take_lines(2),
            vec![("1".to_string(), 2), ("22".to_string(), 5)]
        );
        assert_eq!(buffer.position(), 5);
        assert_eq!(buffer.ready_lines(), 1);
        buffer.extend(b"44\n");
        assert_eq!(
            lines(&mut buffer),
            vec![("333".to_string(), 9), ("4444".to_string(), 14)]
        );
        assert_eq!(buffer.buffered_bytes(), 0);
    }

    #[test]
    fn invalid_utf8_is_replaced_and_positions_count_bytes() {
        let mut buffer = LineBuffer::starting_at(0);
        buffer.extend("é\n".as_bytes());
        buffer.extend(b"\xff\n");
        assert_eq!(
            lines(&mut buffer),
            vec![("é".to_string(), 3), ("\u{fffd}".to_string(), 5)]
        );
    }

    #[test]
    fn scan_is_idempotent() {
        let mut buffer = LineBuffer::starting_at(0);
        buffer.extend(b"x\ny\n");
        buffer.scan();
        buffer.scan();
        assert_eq!(buffer.ready_lines(), 2);
    }
}
