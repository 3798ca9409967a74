//! SQLite's process-wide memory settings, made once before its first
//! connection opens (`sqlite3_config` refuses them later).
//!
//! A profile of `billing-100k` on SQLite (BENCHMARKS.md) had SQLite's own
//! thread spending more of its time in the C library's `malloc`/`free` and in
//! the mutex of SQLite's memory statistics than in executing statements:
//! sqlx copies every result value with `sqlite3_value_dup`, and each copy is a
//! `sqlite3_malloc`. So SQLite allocates through mimalloc, the allocator the
//! rest of the process uses (`billing-100k` 7.7k -> 10.3k invoices/s), and
//! keeps no allocation statistics: nothing reads them (no soft heap limit is
//! set), and they cost a mutex per allocation.

use std::os::raw::{c_int, c_void};
use std::sync::Once;

use libsqlite3_sys as ffi;

static CONFIGURE: Once = Once::new();

/// Applies the settings once per process; a refusal (SQLite already
/// initialized, say by an embedding program) only leaves SQLite's defaults.
pub fn configure() {
    CONFIGURE.call_once(|| {
        // SAFETY: sqlite3_config is called before any connection of this
        // process opens (Db::connect calls this first); SQLite returns
        // SQLITE_MISUSE instead of changing anything once it is initialized.
        // The methods struct is copied by SQLite, and its functions are
        // thread-safe (mimalloc's).
        let (memstatus, malloc) = unsafe {
            let memstatus = ffi::sqlite3_config(ffi::SQLITE_CONFIG_MEMSTATUS, 0 as c_int);
            let methods = ffi::sqlite3_mem_methods {
                xMalloc: Some(mem_malloc),
                xFree: Some(mem_free),
                xRealloc: Some(mem_realloc),
                xSize: Some(mem_size),
                xRoundup: Some(mem_roundup),
                xInit: Some(mem_init),
                xShutdown: Some(mem_shutdown),
                pAppData: std::ptr::null_mut(),
            };
            let malloc = ffi::sqlite3_config(ffi::SQLITE_CONFIG_MALLOC, &methods as *const ffi::sqlite3_mem_methods);
            (memstatus, malloc)
        };
        if memstatus != ffi::SQLITE_OK || malloc != ffi::SQLITE_OK {
            tracing::debug!(memstatus, malloc, "SQLite was initialized already; its memory defaults stay");
        }
    });
}

unsafe extern "C" fn mem_malloc(n: c_int) -> *mut c_void {
    // SQLite never asks for a negative size; treat one as a failed allocation.
    match usize::try_from(n) {
        // SAFETY: mi_malloc accepts any size and returns null on failure.
        Ok(n) => unsafe { libmimalloc_sys::mi_malloc(n) },
        Err(_) => std::ptr::null_mut(),
    }
}

unsafe extern "C" fn mem_free(p: *mut c_void) {
    // SAFETY: SQLite frees only what mem_malloc/mem_realloc returned (or null).
    unsafe { libmimalloc_sys::mi_free(p) }
}

unsafe extern "C" fn mem_realloc(p: *mut c_void, n: c_int) -> *mut c_void {
    match usize::try_from(n) {
        // SAFETY: p came from mem_malloc/mem_realloc; mi_realloc keeps it on failure.
        Ok(n) => unsafe { libmimalloc_sys::mi_realloc(p, n) },
        Err(_) => std::ptr::null_mut(),
    }
}

unsafe extern "C" fn mem_size(p: *mut c_void) -> c_int {
    // SAFETY: p came from mem_malloc/mem_realloc (SQLite asks only about its own).
    let size = unsafe { libmimalloc_sys::mi_usable_size(p) };
    c_int::try_from(size).unwrap_or(c_int::MAX)
}

/// The size SQLite should ask for: its own requests rounded up to 8, as its
/// default allocator does.
unsafe extern "C" fn mem_roundup(n: c_int) -> c_int {
    n.saturating_add(7) & !7
}

unsafe extern "C" fn mem_init(_: *mut c_void) -> c_int {
    ffi::SQLITE_OK
}

unsafe extern "C" fn mem_shutdown(_: *mut c_void) {}

#[cfg(test)]
mod tests {
    use super::*;

    /// The settings took: SQLite keeps no statistics (with its default
    /// allocator and statistics on, an open connection has memory in use),
    /// and it is initialized, so later settings are refused.
    #[tokio::test]
    async fn sqlite_opens_with_the_settings_made_first() {
        let (_dir, _settings, db) = super::super::migrated_sqlite_file().await;
        // SAFETY: plain reads of SQLite's global state.
        let (used, late) =
            unsafe { (ffi::sqlite3_memory_used(), ffi::sqlite3_config(ffi::SQLITE_CONFIG_MEMSTATUS, 1 as c_int)) };
        assert_eq!(used, 0, "SQLite counts its memory: the settings came too late");
        assert_eq!(late, ffi::SQLITE_MISUSE, "SQLite should be initialized by now");
        db.close().await;
    }
}
