"""Checks a .perfetto-trace file against Perfetto's own compiled schema.

Used by trace-viewer/tests/perfetto_schema.rs. It parses the file with
`perfetto_trace_pb2` from the `perfetto` Python package (Perfetto's published
trace proto, not ringlab's prost copy) and checks what the UI relies on:
no field Perfetto does not know, every track an event names is declared
before it, every parent track exists, slices nest per track, and every flow
that ends was started. Prints one line per problem; exit status 1 if any.
"""

import sys

from google.protobuf.unknown_fields import UnknownFieldSet
from perfetto.protos.perfetto.trace import perfetto_trace_pb2 as pb


def unknown_fields(message, path):
    """Yields the path of every message that carries fields Perfetto lacks."""
    if len(UnknownFieldSet(message)):
        yield path
    for field, value in message.ListFields():
        if field.type != field.TYPE_MESSAGE:
            continue
        items = value if field.is_repeated else [value]
        for i, item in enumerate(items):
            yield from unknown_fields(item, f"{path}.{field.name}[{i}]")


def check(trace):
    """Returns the problems found in a parsed Trace."""
    problems = [f"unknown fields at {p}" for p in unknown_fields(trace, "trace")]
    declared, depth, started = set(), {}, set()
    event = pb.TrackEvent
    for n, packet in enumerate(trace.packet):
        if packet.HasField("track_descriptor"):
            desc = packet.track_descriptor
            if desc.HasField("parent_uuid") and desc.parent_uuid not in declared:
                problems.append(f"packet {n}: parent track {desc.parent_uuid} undeclared")
            declared.add(desc.uuid)
        if not packet.HasField("track_event"):
            continue
        ev = packet.track_event
        if not ev.HasField("track_uuid") or ev.track_uuid not in declared:
            problems.append(f"packet {n}: event on undeclared track {ev.track_uuid}")
        if not packet.HasField("timestamp"):
            problems.append(f"packet {n}: event without a timestamp")
        if ev.type == event.TYPE_SLICE_BEGIN:
            depth[ev.track_uuid] = depth.get(ev.track_uuid, 0) + 1
        elif ev.type == event.TYPE_SLICE_END:
            if depth.get(ev.track_uuid, 0) == 0:
                problems.append(f"packet {n}: slice end with no open slice")
            depth[ev.track_uuid] = depth.get(ev.track_uuid, 0) - 1
        elif ev.type == event.TYPE_COUNTER and not ev.HasField("counter_value"):
            problems.append(f"packet {n}: counter event without a value")
        started.update(ev.flow_ids)
        for flow in ev.terminating_flow_ids:
            if flow not in started:
                problems.append(f"packet {n}: flow {flow} ends before it starts")
    return problems


def main(path):
    trace = pb.Trace()
    with open(path, "rb") as f:
        trace.ParseFromString(f.read())
    if not trace.packet:
        print("no packets")
        return 1
    problems = check(trace)
    for problem in problems:
        print(problem)
    print(f"{len(trace.packet)} packets checked, {len(problems)} problems")
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1]))
