package io.tally.spouts.lines;

/**
 * Lines read from one file or object for one batch.
 *
 * @param nextOffset where the next batch starts (uncompressed bytes): just after the last complete line read
 * @param lines lines emitted
 * @param emptyLines empty lines skipped (counted, not emitted)
 * @param truncated lines longer than the limit, emitted cut
 * @param reachedEnd whether the data had nothing more (for gzip: its end of stream)
 */
public record LineBatch(long nextOffset, int lines, int emptyLines, int truncated, boolean reachedEnd) {
}
