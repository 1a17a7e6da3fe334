//! Analysis: per-file summaries, the workspace index and every diagnostic of
//! spec §9. Pure: no I/O, no LSP, no threads of its own (rayon aside).

pub mod apply;
mod def_table;
pub mod deps;
mod diagnostic;
pub mod diagnostics;
mod index;
mod interner;
mod multimap;
pub(crate) mod names;
mod path_ids;
mod ref_table;
pub mod schema;
mod suggestion_window;
mod summary;
pub mod values;
mod workspace;

pub use diagnostic::*;
pub use index::{DefLoc, SortedIds, WorkspaceIndex};
pub use names::{
    NameIndex, NameMatch, NameProbe, later_word_keys, lead_key, may_occur_in, name_probe, name_probes, word_keys,
};
pub use suggestion_window::SuggestionWindows;
pub use summary::{
    DefInfo, DefParts, FileSummary, Interner, LinePos, PlacedDef, RefOrigin, RefSite, StoredSummary, StoredSummaryFull,
    StoredSummaryView, SummaryDiff, Symbol, attribute_references, parse_reference,
};
pub use workspace::{FileTexts, InternerSize, LoadedFile, ProseEpoch, SourceFile, Workspace};
