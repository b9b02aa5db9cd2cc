package io.tally.local;

/** What the local runner tells its user: numbered steps with the time since start. */
final class Console {
    private final long start = System.nanoTime();

    void step(String what) {
        System.out.println(stamp() + "> " + what);
    }

    void done(String what) {
        System.out.println(stamp() + "  " + what);
    }

    void line(String text) {
        System.out.println(text);
    }

    void fail(String what) {
        System.err.println(stamp() + "! " + what);
    }

    private String stamp() {
        return String.format("[%6.1fs] ", (System.nanoTime() - start) / 1e9);
    }
}
