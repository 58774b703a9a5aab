//! The actions an agent can take in public: sit (silent), stand (public positive) and boo
//! (public negative).

use serde::{Deserialize, Serialize};

/// What an agent does in public. Stored as one byte per agent (`action as u8`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[repr(u8)]
pub enum Action {
    /// Silent: no public expression.
    Sit = 0,
    /// Public positive: stand, like, share, praise.
    Stand = 1,
    /// Public negative: boo, vent, complain.
    Boo = 2,
}

impl Action {
    /// All actions, in byte order.
    pub const ALL: [Action; 3] = [Action::Sit, Action::Stand, Action::Boo];

    /// The action stored as `byte`. **Panics** on a byte that is not an action (an engine bug).
    #[inline]
    pub fn from_u8(byte: u8) -> Action {
        match byte {
            0 => Action::Sit,
            1 => Action::Stand,
            2 => Action::Boo,
            _ => panic!("{byte} is not an action byte"),
        }
    }

    /// The name used in files: `sit`, `stand`, `boo`.
    pub fn name(self) -> &'static str {
        match self {
            Action::Sit => "sit",
            Action::Stand => "stand",
            Action::Boo => "boo",
        }
    }
}
