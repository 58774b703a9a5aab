//! Descriptive statistics of a follower graph, as printed by `ovation graph stats`.
