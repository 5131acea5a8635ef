/* schedule.h: scheduled articles go live at their time, on their own: a thread makes them public, says when the next one is due, and keeps the search window up. */
#ifndef KHABAR_SCHEDULE_H
#define KHABAR_SCHEDULE_H

/* How often the thread asks the database for newly scheduled articles, in ms. */
#define SCHEDULE_POLL_MS 250

struct schedule;

/*
 * Starts the thread on its own connection to conninfo (the primary). At each scheduled
 * article's published_at it makes the article public (visible): the database's
 * triggers then update the link rows and counts and announce the change, so every
 * instance's cache drops what it showed before. Every instance runs one; they share the
 * work without waiting on each other. The same thread keeps the search window of the
 * newest window_articles articles (migrations/0020_search_window.sql): opens it once the
 * archive holds twice as many, then moves it on, when it starts and every 30 s (each
 * second while there is more to do). NULL when the thread cannot be started.
 */
struct schedule *schedule_start(const char *conninfo, unsigned window_articles);
/* Stops the thread (within SCHEDULE_POLL_MS) and frees everything; NULL is fine. */
void schedule_stop(struct schedule *s);
/*
 * Seconds until the next scheduled article goes live, as the thread last learned it
 * (at most SCHEDULE_POLL_MS ago): what bounds how long an answer may be cached. A
 * negative number when none is scheduled or s is NULL.
 */
double schedule_seconds_to_next(const struct schedule *s);

#endif
