//! The pieces under the UI and the exporter: ring slot states from heads,
//! heads that survive wrap-around and late joining, send/receive matching,
//! recent counts and span stacks.

use trace_viewer::bus::{BusOp, Message, QueueId};
use trace_viewer::export::flows::{End, pair};
use trace_viewer::model::{RingState, SlotState, WINDOW_NS, Window};
use trace_viewer::spans::Spans;
use trace_wire::SpanNew;

/// A message whose first fragment is at used position `at`.
fn msg(at: Option<u16>, frags: u16) -> Message {
    Message {
        len: 64,
        frags,
        desc: Some(0),
        used_idx: at,
        seq: None,
    }
}

/// A ring of 8 posted by bus.post events, positions `from..from + 8`.
fn posted_ring(from: u16) -> RingState {
    let mut r = RingState::default();
    r.apply(&BusOp::Init {
        size: 8,
        buf_size: None,
    });
    for k in 0..8u16 {
        r.apply(&BusOp::Post {
            desc: Some(k),
            avail_idx: from.wrapping_add(k),
        });
    }
    r
}

#[test]
fn slot_states_follow_the_heads() {
    let mut r = posted_ring(0);
    r.apply(&BusOp::Fill {
        desc: Some(0),
        len: 72,
        used_idx: 0,
    });
    r.apply(&BusOp::Fill {
        desc: Some(1),
        len: 72,
        used_idx: 1,
    });
    r.apply(&BusOp::Publish { used_idx: 1 });
    let states: Vec<SlotState> = r.slots().iter().map(|s| s.state).collect();
    assert_eq!(
        &states[..3],
        &[SlotState::Ready, SlotState::Filling, SlotState::Posted]
    );
    r.apply(&BusOp::Consume {
        desc: Some(0),
        used_idx: 0,
    });
    assert_eq!(r.slots()[0].state, SlotState::Free);
    assert_eq!(
        (r.avail_head(), r.filled, r.used, r.consumed, r.in_flight()),
        (8, 2, 1, 1, 0)
    );
}

#[test]
fn heads_wrap_at_two_to_the_sixteen() {
    let mut r = posted_ring(65_532);
    assert_eq!(r.avail_head(), 4, "65532 + 8 wraps to 4");
    r.apply(&BusOp::Send(msg(Some(65_532), 6)));
    assert_eq!((r.used, r.in_flight()), (2, 6));
    r.apply(&BusOp::Recv(msg(Some(65_532), 6)));
    assert_eq!((r.consumed, r.in_flight()), (2, 0));
}

#[test]
fn late_joiner_places_heads_at_the_first_position_seen() {
    let mut r = RingState::default();
    r.apply(&BusOp::Init {
        size: 8,
        buf_size: None,
    });
    r.apply(&BusOp::Send(msg(Some(40_000), 1)));
    assert_eq!((r.used, r.consumed, r.in_flight()), (40_001, 40_000, 1));
}

#[test]
fn a_late_record_does_not_move_a_head_back() {
    let mut r = posted_ring(0);
    r.apply(&BusOp::Publish { used_idx: 5 });
    r.apply(&BusOp::Publish { used_idx: 3 });
    assert_eq!(r.used, 5);
}

#[test]
fn a_consume_seen_before_its_publish_does_not_wrap() {
    let mut r = posted_ring(0);
    r.apply(&BusOp::Consume {
        desc: Some(0),
        used_idx: 0,
    });
    assert_eq!((r.used, r.filled, r.consumed, r.in_flight()), (1, 1, 1, 0));
    r.apply(&BusOp::Fill {
        desc: Some(0),
        len: 72,
        used_idx: 0,
    });
    r.apply(&BusOp::Publish { used_idx: 1 });
    assert_eq!((r.used, r.consumed, r.in_flight()), (1, 1, 0));
}

#[test]
fn size_is_guessed_without_bus_init() {
    let mut r = RingState::default();
    r.apply(&BusOp::Post {
        desc: Some(20),
        avail_idx: 0,
    });
    assert_eq!((r.size(), r.size_known()), (32, false));
}

/// An end on queue `q` at entry `entry`, first fragment at `at`.
fn end(entry: usize, q: QueueId, at: Option<u16>) -> End {
    End {
        entry,
        queue: q,
        msg: msg(at, 1),
    }
}

#[test]
fn matching_uses_queue_and_position_and_reports_leftovers() {
    let (a, b) = (QueueId { src: 1, dst: 0 }, QueueId { src: 2, dst: 0 });
    let sends = [
        end(0, a, Some(7)),
        end(1, b, Some(7)),
        end(2, a, Some(8)),
        end(3, a, Some(9)),
    ];
    let recvs = [
        end(10, b, Some(7)),
        end(11, a, Some(7)),
        end(12, a, Some(8)),
        end(13, a, Some(42)),
    ];
    let m = pair(&sends, &recvs);
    assert_eq!(m.pairs, vec![(0, 11), (1, 10), (2, 12)]);
    assert_eq!((m.unmatched_sends, m.unmatched_recvs), (1, 1));
}

#[test]
fn matching_falls_back_to_order_without_positions() {
    let q = QueueId { src: 3, dst: 1 };
    let sends = [end(0, q, None), end(1, q, None)];
    let recvs = [end(5, q, None), end(6, q, None)];
    assert_eq!(pair(&sends, &recvs).pairs, vec![(0, 5), (1, 6)]);
}

#[test]
fn window_forgets_after_one_second() {
    let mut w = Window::default();
    w.hit(0, 'a');
    w.hit(WINDOW_NS / 2, 'a');
    w.expire(WINDOW_NS + 1);
    assert_eq!((w.recent('a'), w.total('a')), (1, 2));
}

#[test]
fn exiting_an_outer_span_ends_the_inner_ones_too() {
    let mut s = Spans::default();
    for span in [1, 2] {
        s.create(&SpanNew {
            core: 0,
            ts_ns: 0,
            span,
            callsite: 0,
            parent: None,
            values: Vec::new(),
        });
        s.enter(0, span);
    }
    assert_eq!(s.exit(0, 1), vec![2, 1]);
    assert!(s.stack(0).is_empty());
    assert!(s.exit(0, 9).is_empty(), "a span never entered ends nothing");
}
