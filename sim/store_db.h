/*
 * store_db: what the store modules share about one connection: the
 * struct, its prepared statements (one table, prepared at open), and the
 * helpers for stepping them and reporting SQLite's errors in one line.
 * Internal to sim/store*.c: other modules use store.h.
 */
#ifndef MEMSIM_STORE_DB_H
#define MEMSIM_STORE_DB_H

#include <stddef.h>
#include <stdint.h>

#include <sqlite3.h>

enum {
	S_BEGIN,
	S_COMMIT,
	S_ROLLBACK,
	S_FIND,
	S_NEXT_RERUN,
	S_RUN,
	S_WAIT,
	S_SAMPLE,
	S_EVENT,
	S_COUNTER,
	S_RUN_NEW,
	S_OUTCOME,
	S_SWEEP_FIND,
	S_SWEEP_NEW,
	S_SWEEP_SET,
	S_SWEEP_DONE,
	S_RATES,
	S_RUN_GET,
	S_SAMPLES,
	S_COUNTERS,
	S_WAITS,
	S_EVENTS_LAST,
	S_EVENTS_KIND,
	S_REPLAY,
	S_PARAMS,
	S_COUNT
};

#define KEY_WHERE " WHERE scenario_sha256 = ?1 AND params = ?2 AND seed = ?3" \
	" AND choices = ?4"

/* Every column of runs that a run brings (id and created_at are ours). */
#define RUN_COLS_V3 "scenario, scenario_sha256, allocator," \
	" reserve_n, seed, params, outcome, deadlock_kind, message," \
	" end_time, deadlock_time, min_free_pages, pageouts, swapins," \
	" oom_kills, page_faults, pages_scanned, pages_freed," \
	" pd_blocked_seconds, pd_pbuf_wait_seconds, swapmeta_pages_peak," \
	" swapmeta_allocs, swapmeta_alloc_failures, kmem_slab_allocs," \
	" slab_alloc_waits, reserve_refill_failures, reserve_min_level," \
	" kva_peak, swap_peak_pages, irq_alloc_failures, events_dropped," \
	" sg_calls, page_events, wall_seconds, digest, memsim_version," \
	" simgrid_version, lua_version, sqlite_version, scenario_path"
/* The same columns as named since migration 6. */
#define RUN_COLS_V6 "scenario, scenario_sha256, allocator," \
	" reserve_n, seed, params, outcome, deadlock_kind, message," \
	" end_time, deadlock_time, min_free_pages, pageouts, swapins," \
	" oom_kills, page_faults, pages_scanned, pages_freed," \
	" pagedaemon_blocked_seconds, pagedaemon_pbuf_wait_seconds," \
	" swapmeta_pages_peak, swapmeta_allocs, swapmeta_alloc_failures," \
	" kmem_slab_allocs, slab_alloc_waits, reserve_refill_failures," \
	" reserve_min_level, kva_peak_bytes, swap_peak_pages," \
	" irq_alloc_failures, events_dropped, sg_calls, page_events," \
	" wall_seconds, digest, memsim_version, simgrid_version," \
	" lua_version, sqlite_version, scenario_path," \
	" choices, signature, signature_hash, longest_stall_seconds"
/* Since migration 7: which re-run of its key a row is, who survived. */
#define RUN_COLS RUN_COLS_V6 ", rerun, still_running"
#define RUN_VALUES \
	"?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?," \
	" ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?," \
	" ?, ?, ?, ?, ?, ?"

struct store {
	sqlite3 *db;
	char *path;
	int busy_ms;
	int read_only;		/* opened to read only (store_opts) */
	int force;		/* store_set_force(): always a new row */
	char *memsim_version, *simgrid_version, *lua_version;
	sqlite3_stmt *stmt[S_COUNT];
	char msg[256];		/* SQLite's message for the last failure */
	char errbuf[320];	/* store_db_error()'s */
};

/* The connection's statements, prepared once by store_open(). */
extern const char *const store_stmt_sql[S_COUNT];

/*
 * SQLite's message for the connection's last error, with the system's
 * reason when the file system failed.
 */
const char *store_db_error(struct store *st);
/* A one-line message into err (NULL or errlen 0: none). */
void store_seterr(char *err, size_t errlen, const char *fmt, ...)
#if defined(__GNUC__)
    __attribute__((format(printf, 3, 4)))
#endif
    ;
/* A seed's bits as SQLite's signed 64-bit integer. */
int64_t store_u64_to_i64(uint64_t v);
int store_is_notadb(int rc);
/* Run one statement that yields a single integer, e.g. a PRAGMA. */
int store_query_int(sqlite3 *db, const char *sql, int64_t *v);
/* Step a statement that returns no rows, reset it, note any failure. */
int store_step_done(struct store *st, sqlite3_stmt *s);
/* End a transaction begun with S_BEGIN: commit, or roll back on rc. */
int store_end_tx(struct store *st, int rc, const char *what, char *err,
    size_t errlen);
/* enum outcome of an outcome's name in the runs table. */
int store_outcome_code(const char *name);

#endif
