//! Bounded-confidence rules (Deffuant, Hegselmann-Krause) against their papers.
