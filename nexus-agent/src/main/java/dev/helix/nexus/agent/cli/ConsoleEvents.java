package dev.helix.nexus.agent.cli;

import dev.helix.nexus.core.event.EventCategory;
import dev.helix.nexus.core.event.EventLog;
import dev.helix.nexus.core.event.NexusEvent;
import java.io.PrintWriter;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.EnumSet;
import java.util.Set;

/** Prints chosen event categories to the console, one line each with a UTC time. Thread-safe. */
final class ConsoleEvents implements EventLog {

    private static final DateTimeFormatter TIME = DateTimeFormatter.ofPattern("HH:mm:ss.SSS").withZone(ZoneOffset.UTC);
    private final PrintWriter out;
    private final Set<EventCategory> shown;

    ConsoleEvents(PrintWriter out, Set<EventCategory> shown) {
        this.out = out;
        this.shown = EnumSet.copyOf(shown);
    }

    @Override
    public synchronized void append(NexusEvent e) {
        if (!shown.contains(e.category()) || "sensor.health".equals(e.type()) && e.reason().startsWith("sensor healthy")) {
            return;
        }
        out.printf("%s  %-10s %-18s %-28s %s%n", TIME.format(Instant.ofEpochMilli(e.timestampMillis())),
                e.category(), e.type(), abbreviate(e.component(), 28), e.reason());
        out.flush();
    }

    private static String abbreviate(String s, int n) {
        return s.length() <= n ? s : s.substring(0, n - 1) + "…";
    }
}
