package dev.helix.nexus.core;

import java.util.Locale;

/**
 * How far NEXUS may go, from 0 (nothing) to 6 (acts on its own). Each level includes the rights of those below.
 *
 * <ul>
 *   <li>Below {@link #CORRECTION} nothing on the system is ever changed.</li>
 *   <li>Below {@link #HEALING} no healing or rollback runs.</li>
 *   <li>Only {@link #AUTONOMOUS} acts without a confirmation window: at Correction and Healing an action is announced
 *       and waits for the configured window, during which an operator may approve it early or veto it.</li>
 * </ul>
 */
public enum NexusLevel {
    /** 0: NEXUS does nothing. */
    DISABLED,
    /** 1: sense and record only. */
    MONITORING,
    /** 2: plus anomaly detection and behaviour patterns. */
    DETECTION,
    /** 3: plus failure prediction. */
    PREDICTION,
    /** 4: plus corrective actions (limits, quarantine) after a confirmation window. */
    CORRECTION,
    /** 5: plus healing (restart, rollback, reconstruct, substitute) after a confirmation window. */
    HEALING,
    /** 6: acts at once, without a confirmation window. */
    AUTONOMOUS;

    /** The numeric level, 0 to 6. */
    public int number() {
        return ordinal();
    }

    /** True when this level grants {@code capability}. */
    public boolean allows(Capability capability) {
        return ordinal() >= capability.minimum.ordinal();
    }

    /** True when actions must wait for a confirmation window at this level. */
    public boolean needsConfirmation() {
        return this != AUTONOMOUS;
    }

    /** Parses a level by name (any case) or number 0 to 6. */
    public static NexusLevel parse(String text) {
        String t = text.trim();
        if (!t.isEmpty() && t.chars().allMatch(Character::isDigit)) {
            int n;
            try {
                n = Integer.parseInt(t);
            } catch (NumberFormatException tooLong) {
                n = -1; // out of range: refused below with the clear message
            }
            if (n >= 0 && n < values().length) {
                return values()[n];
            }
        } else {
            for (NexusLevel l : values()) {
                if (l.name().equalsIgnoreCase(t)) {
                    return l;
                }
            }
        }
        throw new IllegalArgumentException("'" + text + "' is not a level; allowed: 0-6 or " + allowedNames());
    }

    static String allowedNames() {
        StringBuilder sb = new StringBuilder();
        for (NexusLevel l : values()) {
            if (sb.length() > 0) {
                sb.append(", ");
            }
            sb.append(l.name().toLowerCase(Locale.ROOT));
        }
        return sb.toString();
    }

    /** What a level may allow. */
    public enum Capability {
        /** Read telemetry and record it. */
        OBSERVE(MONITORING),
        /** Run anomaly detectors and pattern classification. */
        DETECT(DETECTION),
        /** Run failure predictors. */
        PREDICT(PREDICTION),
        /** Change anything on the system (limits, freezing, quarantine). */
        CHANGE_SYSTEM(CORRECTION),
        /** Heal: restart, rollback, reconstruct, substitute. */
        HEAL(HEALING),
        /** Act without waiting for a confirmation window. */
        ACT_WITHOUT_CONFIRMATION(AUTONOMOUS);

        private final NexusLevel minimum;

        Capability(NexusLevel minimum) {
            this.minimum = minimum;
        }

        /** The lowest level that grants this capability. */
        public NexusLevel minimum() {
            return minimum;
        }
    }
}
