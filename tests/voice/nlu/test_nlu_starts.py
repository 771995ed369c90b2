"""StartIndex offers, at a position, only the items whose graph can start with the next character."""

from __future__ import annotations

from voice.nlu.calls import RuleCall
from voice.nlu.graph import Graph, Run, execute
from voice.nlu.starts import StartIndex, can_start


def _graph(*words: str, optional: bool = False) -> Graph:
    """A graph matching any one of ``words`` (or nothing, if ``optional``)."""
    graph = Graph()
    ends = [graph.literal(0, word) for word in words]
    final = graph.node()  # the last node accepts; every edge goes to a higher node
    for end in ends:
        graph.epsilon(end, final)
    if optional:
        graph.epsilon(0, final)
    return graph


GRAPHS = {
    "lamp": _graph("lamp"),
    "light": _graph("light", "lantern"),
    "any": _graph("fan", optional=True),
    "fan": _graph("fan"),
}


def _index() -> StartIndex[str]:
    return StartIndex.of(list(GRAPHS.items()))


def _run(text: str) -> Run:
    return Run.of(text, text, "en")


def test_items_by_next_character_in_their_order() -> None:
    run = _run("turn on the lamp")
    index = _index()
    assert index.at(run, run.folded.index("lamp"), False) == ("lamp", "light", "any")
    assert index.at(run, 0, False) == ("any",)  # "t": only what may start with anything
    assert index.at(run, len(run.folded), False) == ("any",)  # the end of the utterance


def test_a_word_start_looks_past_its_space() -> None:
    run = _run("turn on the fan")
    space = run.folded.index(" fan")
    assert _index().at(run, space, True) == ("any", "fan")
    assert _index().at(run, space, False) == ("any",)


def test_hyphens_offer_every_item() -> None:
    # "-" may be read as a space there, so the next character says nothing
    run = _run("turn on the fan-light")
    assert _index().at(run, 0, False) == tuple(GRAPHS)


def test_index_agrees_with_can_start() -> None:
    run = _run("lamp light lantern fan x")
    index = _index()
    for pos in range(len(run.folded) + 1):
        for sow in (False, True):
            expected = tuple(name for name, graph in GRAPHS.items() if can_start(graph, run, pos, sow))
            assert index.at(run, pos, sow) == expected, (pos, sow)


def test_a_node_of_rule_calls_dispatches_them_by_their_start() -> None:
    """A rule that cannot start at the next character is skipped, like a literal that does not."""
    graph = Graph()
    ends = [graph.call(0, RuleCall(GRAPHS[name])) for name in ("lamp", "light", "fan")]
    final = graph.node()
    for end in ends:
        graph.epsilon(end, final)
    run = _run("fan")
    assert execute(graph, run, 0, True)  # the walk builds the start node's table on its first visit
    tables = graph.dispatch[0]
    assert tables is not None
    by_char, anything = tables[True]
    assert [edge[2].graph for edge in by_char["f"]] == [GRAPHS["fan"]]
    assert [edge[2].graph for edge in by_char["l"]] == [GRAPHS["lamp"], GRAPHS["light"]]
    assert anything == []
