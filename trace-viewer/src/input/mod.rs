//! Where trace bytes come from: the QEMU socket (socket.rs), read on a
//! thread into a bounded channel (feed.rs), or a recorded file replayed at
//! a chosen speed (pacer.rs paces it).

pub mod feed;
pub mod pacer;
pub mod socket;

pub use feed::{Feed, Msg, Shared, Status};
pub use pacer::{Clock, MAX_GAP, Pacer, SystemClock};
