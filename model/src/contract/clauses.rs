//! TEMPORARY STUB (being written by a helper).
/// Scope.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Scope {
    /// d
    Datagram,
    /// o
    Overlapped,
    /// t
    Threads,
    /// s
    Stream,
}
/// Clause.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
pub struct Clause {
    /// id
    pub id: &'static str,
    /// s
    pub statement: &'static str,
    /// s
    pub source: &'static str,
    /// s
    pub scope: Scope,
}
/// All.
pub static CLAUSES: &[Clause] = &[];
/// Lookup.
pub fn clause(id: &str) -> Option<&'static Clause> {
    CLAUSES.iter().find(|c| c.id == id)
}
