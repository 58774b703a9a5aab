//! Reading and writing graphs: edge lists (plain or gzip), the binary cache, DOT and GraphML.
