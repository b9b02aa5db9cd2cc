package io.tally.spouts.file;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Which files a batch looks at. Trident stores the coordinator's list of partitions in ZooKeeper with every batch
 * (and ZooKeeper refuses a node over 1 MiB), so a batch names at most a fixed number of files, whatever the
 * directory holds. When there are more, files that changed since a batch last looked at them come first, and so do
 * files recently changed enough that reading them may take several batches; the rest take turns, the longest
 * unvisited first, so every file is looked at again within a bounded number of batches and nothing is left unread.
 */
final class FileWindow {
    private static final class Seen {
        /**
         * The file as first listed under its current name: its description must not change from one batch to the
         * next (a new modification time would make every emitter reload its partitions).
         */
        FilePartition described;
        /** Size, time and name when a batch last looked at it. */
        String offered;
        long offeredInRound = -1;
        /** Batches that still look at it first after its last change. */
        long credit;
    }

    private final int maxFiles;
    private final long bytesPerBatch;
    private final Map<String, Seen> seen = new HashMap<>();
    private long round;

    FileWindow(int maxFiles, long bytesPerBatch) {
        this.maxFiles = maxFiles;
        this.bytesPerBatch = bytesPerBatch;
    }

    /** The files of the next batch, sorted by key; what is known of files no longer listed is dropped. */
    List<FilePartition> choose(List<DirectoryListing.Entry> listing) {
        round++;
        Set<String> present = new HashSet<>();
        listing.forEach(entry -> present.add(entry.file().key()));
        seen.keySet().retainAll(present);
        List<DirectoryListing.Entry> chosen = listing;
        if (listing.size() > maxFiles) {
            Map<DirectoryListing.Entry, Boolean> urgent = new HashMap<>();
            for (DirectoryListing.Entry entry : listing) {
                Seen file = seen.computeIfAbsent(entry.file().key(), key -> new Seen());
                urgent.put(entry, !signature(entry).equals(file.offered) || file.credit > 0);
            }
            chosen = new ArrayList<>(listing);
            chosen.sort(Comparator.<DirectoryListing.Entry, Boolean>comparing(entry -> !urgent.get(entry))
                    .thenComparingLong(entry -> seen.get(entry.file().key()).offeredInRound));
            chosen = new ArrayList<>(chosen.subList(0, maxFiles));
            chosen.sort(Comparator.comparing(entry -> entry.file().key()));
        }
        List<FilePartition> files = new ArrayList<>(chosen.size());
        for (DirectoryListing.Entry entry : chosen) {
            Seen file = seen.computeIfAbsent(entry.file().key(), key -> new Seen());
            String signature = signature(entry);
            if (!signature.equals(file.offered)) {
                file.offered = signature;
                file.credit = 2 * (1 + entry.size() / bytesPerBatch);
            } else if (file.credit > 0) {
                file.credit--;
            }
            file.offeredInRound = round;
            if (file.described == null || !file.described.path().equals(entry.file().path())) {
                file.described = entry.file();
            }
            files.add(file.described);
        }
        return files;
    }

    private static String signature(DirectoryListing.Entry entry) {
        return entry.size() + "/" + entry.modifiedMillis() + "/" + entry.file().path().getFileName();
    }
}
