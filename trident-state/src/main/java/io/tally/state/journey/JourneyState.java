package io.tally.state.journey;

/**
 * A user's state in one behavioural definition (a funnel or a retention definition), or in one of their session streams, the value type of the
 * {@code user_journeys} map state: one state, one row per (definition, user), one {@code multiUpdate} per batch for
 * every definition. Definition names are unique across funnels and retention, so a row's kind follows from its name.
 */
public sealed interface JourneyState permits FunnelProgress, RetentionProgress, SessionProgress {
}
