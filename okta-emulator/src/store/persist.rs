//! `--state FILE`: the org survives restarts.
//!
//! Every acknowledged write is saved before its response is sent: the whole org is serialised to
//! a temporary file in the same directory, fsynced, then renamed over the state file. Rename is
//! atomic within a directory, so a crash leaves either the old or the new state, never a torn one.

use std::{
    fs,
    io::{self, Write},
    path::{Path, PathBuf},
    sync::atomic::{AtomicU64, Ordering},
};

use serde::{Deserialize, Serialize};

use crate::store::Org;

/// Format version of the state file.
const VERSION: u32 = 1;

#[derive(Deserialize)]
struct StateFile {
    version: u32,
    org: Org,
}

/// The same layout for writing, borrowing the org: a save must not copy it again.
#[derive(Serialize)]
struct StateFileRef<'a> {
    version: u32,
    org: &'a Org,
}

#[derive(Debug, thiserror::Error)]
pub enum PersistError {
    #[error("cannot read or write state file {path}: {source}")]
    Io {
        path: PathBuf,
        #[source]
        source: io::Error,
    },
    #[error("state file {path} is not okta-emulator state: {source}")]
    Parse {
        path: PathBuf,
        #[source]
        source: serde_json::Error,
    },
    #[error("state file {path} has version {found}, expected {VERSION}")]
    Version { path: PathBuf, found: u32 },
}

/// Writes the org to its state file.
#[derive(Debug)]
pub struct Persister {
    path: PathBuf,
    counter: AtomicU64,
}

impl Persister {
    pub fn new(path: impl Into<PathBuf>) -> Self {
        Persister {
            path: path.into(),
            counter: AtomicU64::new(0),
        }
    }

    /// Loads the org if the file exists; `Ok(None)` if it does not. Temporary files left by a
    /// process killed in the middle of a save are removed first: they were never renamed into
    /// place, so no acknowledged write lives only in them.
    pub fn load(&self) -> Result<Option<Org>, PersistError> {
        self.remove_stale_temps();
        let text = match fs::read_to_string(&self.path) {
            Ok(t) => t,
            Err(e) if e.kind() == io::ErrorKind::NotFound => return Ok(None),
            Err(source) => {
                return Err(PersistError::Io {
                    path: self.path.clone(),
                    source,
                })
            }
        };
        let file: StateFile =
            serde_json::from_str(&text).map_err(|source| PersistError::Parse {
                path: self.path.clone(),
                source,
            })?;
        if file.version != VERSION {
            return Err(PersistError::Version {
                path: self.path.clone(),
                found: file.version,
            });
        }
        let mut org = file.org;
        for g in org
            .groups
            .iter_mut()
            .filter(|g| g.last_membership_updated == 0)
        {
            g.last_membership_updated = g.created;
        }
        Ok(Some(org))
    }

    /// Atomically replaces the state file with `org`.
    pub fn save(&self, org: &Org) -> Result<(), PersistError> {
        let io_err = |source| PersistError::Io {
            path: self.path.clone(),
            source,
        };
        let text = serde_json::to_vec_pretty(&StateFileRef {
            version: VERSION,
            org,
        })
        .map_err(|source| PersistError::Parse {
            path: self.path.clone(),
            source,
        })?;
        let tmp = self.temp_path();
        let result = (|| -> io::Result<()> {
            let mut f = open_private(&tmp)?;
            f.write_all(&text)?;
            f.sync_all()?;
            drop(f);
            fs::rename(&tmp, &self.path)?;
            sync_dir(&self.path)
        })();
        if result.is_err() {
            let _ = fs::remove_file(&tmp);
        }
        result.map_err(io_err)
    }

    /// `.NAME.tmp-`: every temporary file of this state file starts with it.
    fn temp_prefix(&self) -> String {
        let name = self
            .path
            .file_name()
            .map(|s| s.to_string_lossy().into_owned())
            .unwrap_or_else(|| "state".to_string());
        format!(".{name}.tmp-")
    }

    fn temp_path(&self) -> PathBuf {
        let n = self.counter.fetch_add(1, Ordering::Relaxed);
        self.path
            .with_file_name(format!("{}{}-{n}", self.temp_prefix(), std::process::id()))
    }

    /// Best effort: a temp file that cannot be removed is harmless, as it is never read.
    fn remove_stale_temps(&self) {
        let prefix = self.temp_prefix();
        let Ok(entries) = fs::read_dir(parent_dir(&self.path)) else {
            return;
        };
        for entry in entries.flatten() {
            if entry.file_name().to_string_lossy().starts_with(&prefix) {
                match fs::remove_file(entry.path()) {
                    Ok(()) => tracing::info!(
                        file = %entry.path().display(),
                        "removed a temporary state file left by an interrupted save"
                    ),
                    Err(e) => tracing::warn!(
                        file = %entry.path().display(),
                        error = %e,
                        "cannot remove a stale temporary state file"
                    ),
                }
            }
        }
    }
}

fn parent_dir(path: &Path) -> &Path {
    match path.parent() {
        Some(d) if !d.as_os_str().is_empty() => d,
        _ => Path::new("."),
    }
}

/// The state file holds token values and client secrets: owner-only permissions.
fn open_private(path: &Path) -> io::Result<fs::File> {
    let mut opts = fs::OpenOptions::new();
    opts.write(true).create(true).truncate(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        opts.mode(0o600);
    }
    opts.open(path)
}

/// Makes the rename itself durable: until the directory entry is on disk, a power loss could
/// bring back the previous file although the write was acknowledged. On Unix a failure fails
/// the save; elsewhere directories may not open as files, so it is best effort.
fn sync_dir(path: &Path) -> io::Result<()> {
    let dir = parent_dir(path);
    #[cfg(unix)]
    {
        fs::File::open(dir)?.sync_all()
    }
    #[cfg(not(unix))]
    {
        if let Ok(d) = fs::File::open(dir) {
            let _ = d.sync_all();
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn save_then_load_round_trips() {
        let dir = tempfile::tempdir().unwrap();
        let p = Persister::new(dir.path().join("org.json"));
        assert!(p.load().unwrap().is_none());
        let org = Org::seed(Some("tok"));
        p.save(&org).unwrap();
        let back = p.load().unwrap().unwrap();
        assert_eq!(back.org_id, org.org_id);
        // No temporary files are left behind.
        let names: Vec<_> = fs::read_dir(dir.path())
            .unwrap()
            .map(|e| e.unwrap().file_name())
            .collect();
        assert_eq!(names, vec![std::ffi::OsString::from("org.json")]);
    }

    #[test]
    fn groups_without_last_membership_updated_still_load() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("org.json");
        let p = Persister::new(&path);
        let mut org = Org::seed(Some("tok"));
        org.groups[0].created = 1_700_000_000;
        p.save(&org).unwrap();
        // A file from before the field was kept.
        let mut file: serde_json::Value =
            serde_json::from_str(&fs::read_to_string(&path).unwrap()).unwrap();
        let groups = file["org"]["groups"].as_array_mut().unwrap();
        for g in groups.iter_mut() {
            g.as_object_mut().unwrap().remove("lastMembershipUpdated");
        }
        fs::write(&path, file.to_string()).unwrap();
        let back = p.load().unwrap().unwrap();
        assert_eq!(back.groups[0].last_membership_updated, 1_700_000_000);
    }

    #[test]
    fn garbage_is_rejected() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("org.json");
        fs::write(&path, "not json").unwrap();
        assert!(matches!(
            Persister::new(&path).load(),
            Err(PersistError::Parse { .. })
        ));
    }

    #[test]
    fn stale_temp_files_are_removed_on_load() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("org.json");
        let p = Persister::new(&path);
        p.save(&Org::seed(Some("tok"))).unwrap();
        // What a kill between write and rename leaves: a torn temp file (another pid's name).
        let torn = dir.path().join(".org.json.tmp-999999-7");
        fs::write(&torn, "{\"version\":1,\"org\":{").unwrap();
        let unrelated = dir.path().join(".other.json.tmp-1-1");
        fs::write(&unrelated, "keep").unwrap();
        let org = p.load().unwrap().unwrap();
        assert!(org.tokens.iter().any(|t| t.value == "tok"));
        assert!(!torn.exists(), "the torn temp file is cleaned up");
        assert!(
            unrelated.exists(),
            "only this state file's temp files are touched"
        );
    }

    #[cfg(unix)]
    #[test]
    fn state_file_is_private() {
        use std::os::unix::fs::PermissionsExt;
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("org.json");
        let p = Persister::new(&path);
        p.save(&Org::seed(None)).unwrap();
        let mode = fs::metadata(&path).unwrap().permissions().mode();
        assert_eq!(mode & 0o777, 0o600);
    }
}
