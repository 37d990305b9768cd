//! The emulator's state, in SQLite: a file (it survives a restart) or
//! memory. Every resource is a JSON document keyed by surface, scope, kind
//! and id; `seq` orders them for paging that stays stable while inserts
//! happen.

use std::path::Path;
use std::sync::{Arc, Mutex};

use rusqlite::{Connection, OptionalExtension, params};
use serde_json::Value;

/// Where a resource lives: the surface, its scope path, its collection.
#[derive(Debug, Clone)]
pub struct Key {
    pub surface: &'static str,
    pub scope: String,
    pub kind: &'static str,
}

/// A stored long-running operation.
#[derive(Debug, Clone)]
pub struct Operation {
    pub id: String,
    pub created_ms: i64,
    /// What the operation ends in: `Succeeded` or `Failed`.
    pub outcome: String,
    pub error: Option<Value>,
    pub resource_location: Option<String>,
    pub operation_type: String,
}

#[derive(Clone)]
pub struct Store {
    conn: Arc<Mutex<Connection>>,
}

impl std::fmt::Debug for Store {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Store")
    }
}

pub type StoreResult<T> = Result<T, String>;

fn err(e: rusqlite::Error) -> String {
    format!("storage: {e}")
}

impl Store {
    pub fn open(path: Option<&Path>) -> StoreResult<Self> {
        let conn = match path {
            Some(p) => Connection::open(p).map_err(err)?,
            None => Connection::open_in_memory().map_err(err)?,
        };
        conn.execute_batch(
            "PRAGMA journal_mode = WAL;
             PRAGMA synchronous = NORMAL;
             CREATE TABLE IF NOT EXISTS resources (
                 seq INTEGER PRIMARY KEY AUTOINCREMENT,
                 surface TEXT NOT NULL,
                 scope TEXT NOT NULL,
                 kind TEXT NOT NULL,
                 id TEXT NOT NULL,
                 name TEXT,
                 version INTEGER NOT NULL DEFAULT 0,
                 body TEXT NOT NULL,
                 UNIQUE (surface, scope, kind, id)
             );
             CREATE INDEX IF NOT EXISTS resources_by_name ON resources (surface, scope, kind, name);
             CREATE TABLE IF NOT EXISTS operations (
                 id TEXT PRIMARY KEY,
                 created_ms INTEGER NOT NULL,
                 outcome TEXT NOT NULL,
                 error TEXT,
                 resource_location TEXT,
                 operation_type TEXT NOT NULL
             );",
        )
        .map_err(err)?;
        Ok(Self {
            conn: Arc::new(Mutex::new(conn)),
        })
    }

    /// Runs `f` with the connection on a blocking thread.
    async fn with<T: Send + 'static>(
        &self,
        f: impl FnOnce(&mut Connection) -> StoreResult<T> + Send + 'static,
    ) -> StoreResult<T> {
        let conn = self.conn.clone();
        tokio::task::spawn_blocking(move || {
            let mut guard = conn
                .lock()
                .map_err(|_| "storage: lock poisoned".to_string())?;
            f(&mut guard)
        })
        .await
        .map_err(|e| format!("storage task: {e}"))?
    }

    /// Inserts a resource. With `versioned`, its version is one more than
    /// the highest of its name in the collection, decided in the same
    /// transaction so parallel registrations never share a version.
    pub async fn insert(
        &self,
        key: Key,
        id: String,
        name: Option<String>,
        versioned: bool,
        mut body: Value,
    ) -> StoreResult<Value> {
        self.with(move |conn| {
            let tx = conn.transaction().map_err(err)?;
            let version: i64 = if versioned {
                tx.query_row(
                    "SELECT COALESCE(MAX(version), 0) + 1 FROM resources WHERE surface = ?1 AND scope = ?2 AND kind = ?3 AND name IS ?4",
                    params![key.surface, key.scope, key.kind, name],
                    |r| r.get(0),
                )
                .map_err(err)?
            } else {
                0
            };
            if versioned {
                body["version"] = Value::from(version);
            }
            tx.execute(
                "INSERT INTO resources (surface, scope, kind, id, name, version, body) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
                params![key.surface, key.scope, key.kind, id, name, version, body.to_string()],
            )
            .map_err(err)?;
            tx.commit().map_err(err)?;
            Ok(body)
        })
        .await
    }

    pub async fn get(&self, key: Key, id: String) -> StoreResult<Option<Value>> {
        self.with(move |conn| {
            let body: Option<String> = conn
                .query_row(
                    "SELECT body FROM resources WHERE surface = ?1 AND scope = ?2 AND kind = ?3 AND id = ?4",
                    params![key.surface, key.scope, key.kind, id],
                    |r| r.get(0),
                )
                .optional()
                .map_err(err)?;
            Ok(body.and_then(|b| serde_json::from_str(&b).ok()))
        })
        .await
    }

    /// Whether a resource of this name exists in the collection.
    pub async fn name_taken(&self, key: Key, name: String) -> StoreResult<bool> {
        self.with(move |conn| {
            conn.query_row(
                "SELECT EXISTS (SELECT 1 FROM resources WHERE surface = ?1 AND scope = ?2 AND kind = ?3 AND name = ?4)",
                params![key.surface, key.scope, key.kind, name],
                |r| r.get(0),
            )
            .map_err(err)
        })
        .await
    }

    pub async fn replace(&self, key: Key, id: String, body: Value) -> StoreResult<bool> {
        self.with(move |conn| {
            let n = conn
                .execute(
                    "UPDATE resources SET body = ?5 WHERE surface = ?1 AND scope = ?2 AND kind = ?3 AND id = ?4",
                    params![key.surface, key.scope, key.kind, id, body.to_string()],
                )
                .map_err(err)?;
            Ok(n > 0)
        })
        .await
    }

    pub async fn delete(&self, key: Key, id: String) -> StoreResult<bool> {
        self.with(move |conn| {
            let n = conn
                .execute(
                    "DELETE FROM resources WHERE surface = ?1 AND scope = ?2 AND kind = ?3 AND id = ?4",
                    params![key.surface, key.scope, key.kind, id],
                )
                .map_err(err)?;
            Ok(n > 0)
        })
        .await
    }

    /// Resources after `after` (a `seq`), oldest first, keeping those `keep`
    /// accepts, at most `limit`; and whether more remain. The last `seq`
    /// returned is the next page's token.
    pub async fn page(
        &self,
        key: Key,
        after: i64,
        limit: usize,
        keep: impl Fn(&Value) -> bool + Send + 'static,
    ) -> StoreResult<(Vec<(i64, Value)>, bool)> {
        self.with(move |conn| {
            let mut stmt = conn
                .prepare(
                    "SELECT seq, body FROM resources WHERE surface = ?1 AND scope = ?2 AND kind = ?3 AND seq > ?4 ORDER BY seq",
                )
                .map_err(err)?;
            let rows = stmt
                .query_map(params![key.surface, key.scope, key.kind, after], |r| {
                    Ok((r.get::<_, i64>(0)?, r.get::<_, String>(1)?))
                })
                .map_err(err)?;
            let mut out = Vec::new();
            let mut more = false;
            for row in rows {
                let (seq, body) = row.map_err(err)?;
                let Ok(value) = serde_json::from_str::<Value>(&body) else { continue };
                if !keep(&value) {
                    continue;
                }
                if out.len() == limit {
                    more = true;
                    break;
                }
                out.push((seq, value));
            }
            Ok((out, more))
        })
        .await
    }

    pub async fn put_operation(&self, op: Operation) -> StoreResult<()> {
        self.with(move |conn| {
            conn.execute(
                "INSERT INTO operations (id, created_ms, outcome, error, resource_location, operation_type) VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
                params![
                    op.id,
                    op.created_ms,
                    op.outcome,
                    op.error.map(|e| e.to_string()),
                    op.resource_location,
                    op.operation_type
                ],
            )
            .map_err(err)?;
            Ok(())
        })
        .await
    }

    pub async fn operation(&self, id: String) -> StoreResult<Option<Operation>> {
        self.with(move |conn| {
            conn.query_row(
                "SELECT id, created_ms, outcome, error, resource_location, operation_type FROM operations WHERE id = ?1",
                params![id],
                |r| {
                    let error: Option<String> = r.get(3)?;
                    Ok(Operation {
                        id: r.get(0)?,
                        created_ms: r.get(1)?,
                        outcome: r.get(2)?,
                        error: error.and_then(|e| serde_json::from_str(&e).ok()),
                        resource_location: r.get(4)?,
                        operation_type: r.get(5)?,
                    })
                },
            )
            .optional()
            .map_err(err)
        })
        .await
    }
}
