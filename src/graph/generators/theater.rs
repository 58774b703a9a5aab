//! The theater of the Standing Ovation Problem: agents in rows of seats, each seeing only ahead.
//!
//! Follows Miller and Page, "The standing ovation problem", Complexity 9(5) (2004), and the
//! reimplementation in Izquierdo, Izquierdo, Galan and Santos, "Techniques to Understand
//! Computer Simulations: Markov Chain Analysis", JASSS 12(1)6 (2009), appendix B: the agent in row `r`, seat `s` sees the seats on each
//! side of it, `(r, s - 1)` and `(r, s + 1)`, and, in the `c`-th row ahead (`c = 1..=cone`), the
//! `2c + 1` seats `s - c..=s + c` of row `r - c`. Seats past the edges of the theater are simply
//! missing, and nobody sees backwards. Cone length 1 is the "five neighbours" case.
//!
//! Row 0 is the **front**, nearest the stage, so front rows have the most followers. Each seen
//! seat gives an edge `seen -> viewer` (the viewer follows the seat it sees). No randomness.

use super::collect_rows;

/// Where agents sit in a theater: node id = `row * seats + seat`, row 0 at the front.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct TheaterLayout {
    /// Number of rows.
    pub rows: u32,
    /// Seats per row.
    pub seats: u32,
}

impl TheaterLayout {
    /// The `(row, seat)` of node `id`. **O(1)**. Only meaningful for `id < rows * seats`
    /// (checked in debug builds); **panics** if `seats` is 0.
    #[inline]
    pub fn position(&self, id: u32) -> (u32, u32) {
        debug_assert!(u64::from(id) < self.node_count(), "seat {id} out of range");
        (id / self.seats, id % self.seats)
    }

    /// The node id of `(row, seat)`. **O(1)**. Only meaningful for `row < rows` and
    /// `seat < seats` (checked in debug builds).
    #[inline]
    pub fn id(&self, row: u32, seat: u32) -> u32 {
        debug_assert!(
            row < self.rows && seat < self.seats,
            "({row}, {seat}) out of range"
        );
        row * self.seats + seat
    }

    /// Number of seats in the theater.
    pub fn node_count(&self) -> u64 {
        u64::from(self.rows) * u64::from(self.seats)
    }
}

/// The theater's edges `seen -> viewer`, grouped by viewer. **O(rows seats cone^2)**.
pub(super) fn edges(rows: u32, seats: u32, cone: u32) -> Vec<(u32, u32)> {
    let layout = TheaterLayout { rows, seats };
    let n = rows * seats;
    collect_rows(n, |viewer, out| {
        let (r, s) = layout.position(viewer);
        for c in (1..=cone.min(r)).rev() {
            let first = s.saturating_sub(c);
            let last = (s + c).min(seats - 1);
            for seat in first..=last {
                out.push((layout.id(r - c, seat), viewer));
            }
        }
        if s > 0 {
            out.push((viewer - 1, viewer));
        }
        if s + 1 < seats {
            out.push((viewer + 1, viewer));
        }
    })
}

#[cfg(test)]
mod tests {
    use super::super::GeneratorSpec;
    use super::super::test_support::*;
    use super::*;

    fn theater(rows: u32, seats: u32, cone: u32) -> (TheaterLayout, crate::graph::FollowerGraph) {
        let s = GeneratorSpec::Theater { rows, seats, cone };
        (s.theater_layout().expect("a theater"), gen_graph(&s, 0))
    }

    /// Hand-checked 3 x 3 theater with cone 1 (ids: front row 0 1 2, then 3 4 5, then 6 7 8).
    #[test]
    fn three_by_three_matches_the_hand_count() {
        let (_, g) = theater(3, 3, 1);
        let expected_sources: [&[u32]; 9] = [
            &[1],
            &[0, 2],
            &[1],
            &[0, 1, 4],
            &[0, 1, 2, 3, 5],
            &[1, 2, 4],
            &[3, 4, 7],
            &[3, 4, 5, 6, 8],
            &[4, 5, 7],
        ];
        for (v, want) in expected_sources.iter().enumerate() {
            assert_eq!(g.sources(v as u32), *want, "sources of {v}");
        }
        assert_eq!(follower_counts(&g), [3, 5, 3, 3, 5, 3, 1, 2, 1]);
        assert_eq!(g.edge_count(), 26);
        assert_eq!(g.report().edges_in, 26);
    }

    #[test]
    fn layout_round_trips_ids_and_positions() {
        let layout = TheaterLayout { rows: 4, seats: 7 };
        for id in 0..28 {
            let (r, s) = layout.position(id);
            assert!(r < 4 && s < 7);
            assert_eq!(layout.id(r, s), id);
        }
        assert_eq!(layout.position(9), (1, 2));
    }

    /// Agents see only their own row and rows in front; the same row only at distance 1; a row
    /// `c` ahead only within `c` seats; cone 1 gives at most 5 sources, and interior agents
    /// behind the front row have exactly 5.
    #[test]
    fn nobody_sees_backwards_and_the_cone_is_respected() {
        for cone in [0, 1, 3] {
            let (layout, g) = theater(8, 10, cone);
            for v in 0..g.node_count() {
                let (r, s) = layout.position(v);
                for &u in g.sources(v) {
                    let (ru, su) = layout.position(u);
                    assert!(
                        ru <= r,
                        "cone {cone}: {v} at row {r} sees {u} behind at row {ru}"
                    );
                    let ahead = r - ru;
                    assert!(ahead <= cone);
                    let width = if ahead == 0 { 1 } else { ahead };
                    assert!(s.abs_diff(su) <= width && u != v);
                }
                if cone == 1 {
                    assert!(g.source_count(v) <= 5);
                    if r > 0 && s > 0 && s < 9 {
                        assert_eq!(g.source_count(v), 5);
                    }
                }
            }
        }
    }

    /// Followers per row never grow towards the back; the front row has the most and the back
    /// row the fewest; with a cone as deep as the theater the decrease is strict.
    #[test]
    fn front_rows_have_the_most_followers() {
        for (rows, cone) in [(6, 1), (6, 2), (6, 5)] {
            let (layout, g) = theater(rows, 9, cone);
            let per_row: Vec<u64> = (0..rows)
                .map(|r| {
                    (0..9)
                        .map(|s| u64::from(g.follower_count(layout.id(r, s))))
                        .sum()
                })
                .collect();
            assert!(per_row.windows(2).all(|w| w[0] >= w[1]), "{per_row:?}");
            assert!(per_row[0] > per_row[rows as usize - 1], "{per_row:?}");
            if cone == rows - 1 {
                assert!(per_row.windows(2).all(|w| w[0] > w[1]), "{per_row:?}");
            }
            let counts = follower_counts(&g);
            let most = *counts.iter().max().expect("seats");
            assert!((0..9).any(|s| counts[layout.id(0, s) as usize] == most));
        }
    }

    #[test]
    fn a_single_row_is_a_line_of_side_neighbours() {
        let (_, g) = theater(1, 4, 3);
        let edges: Vec<(u32, u32)> = g.edges().collect();
        assert_eq!(edges, [(0, 1), (1, 0), (1, 2), (2, 1), (2, 3), (3, 2)]);
    }
}
