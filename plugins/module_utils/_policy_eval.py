# -*- coding: utf-8 -*-

# Copyright: Contributors to the ecs_tools.iam collection
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)

"""IAM identity-policy evaluation for one action. Pure: no boto3.

What it implements, from AWS's policy-evaluation documentation:

- ``Action`` / ``NotAction`` with ``*`` and ``?``, case-insensitive;
- ``Resource`` / ``NotResource`` with ``*`` and ``?`` in ARNs, case-sensitive, where a ``*`` stays
  within its ARN segment unless it ends the segment (then it may run past the colons); policy
  variables (``${aws:username}``) make a match undecidable (``${*}``, ``${?}``, ``${$}`` are the
  literal characters); in version ``2008-10-17`` documents ``${...}`` is plain text;
- explicit ``Deny`` overrides any ``Allow``; nothing allowed is an implicit deny;
- a permissions boundary: an action is allowed only when the identity policies *and* the boundary
  allow it (a deny in either denies);
- one condition key decided exactly, the caller's (``iam:PassedToService`` for ``iam:PassRole``, in
  ``_pass_role_exposure``): the operators ``StringEquals``, ``StringNotEquals``,
  ``StringEqualsIgnoreCase``, ``StringNotEqualsIgnoreCase``, ``StringLike``, ``StringNotLike`` (with
  the ``ForAnyValue:`` / ``ForAllValues:`` set operators and the ``IfExists`` suffix) and ``Null``.
  The key is taken to be set, single-valued, on every request (as IAM sets ``iam:PassedToService`` on
  a PassRole request), so ``ForAnyValue:X`` and ``ForAllValues:X`` decide as ``X`` does. Every other
  condition is *undecided*: it is returned to the caller, never dropped.

Questions about "some value other than X" are answered exactly: the allowed set of values is a
boolean combination of glob patterns, and a search over the automata of its clauses (``witness``:
one automaton per clause, one term per allowed pattern, the Deny side explored as an antichain)
finds a witness string or proves there is none, within ``SEARCH_LIMIT`` states per question.
A caller whose key's values are lower-case (service principals) says so (``lower_case``).
"""

import re

# Token kinds of a compiled pattern (a literal character is the token itself, a one-character str).
ANY = 0  # ``?`` in a plain string pattern
ANY_IN_SEGMENT = 1  # ``?`` in an ARN: one character, not a colon
STAR = 2  # ``*`` in a plain string pattern, or ending an ARN segment
STAR_IN_SEGMENT = 3  # ``*`` within an ARN segment: any run of characters without a colon
VARIABLE = 4  # a policy variable in an ARN: unknown text within the segment

# Stands for text no real request contains (a variable an Allow cannot be shown to cover).
_NEVER = "\x01"
_FRESH = "\x00"  # a character no pattern names: "anything else"

SEARCH_LIMIT = 20000  # product states explored before a question counts as undecided
# ... and the work they may cost: a state's step touches every pattern of the term, so many large
# policies make each state dear. Pattern-steps (states x patterns) before a question counts as undecided.
WORK_LIMIT = 500000


class Pattern:
    """A compiled ``*``/``?`` pattern: ``tokens`` for the automaton search, ``regex`` for matching."""

    __slots__ = ("text", "tokens", "fold", "regex", "has_variable")

    def __init__(self, text, tokens, fold=False):
        self.text = text
        self.tokens = tuple(tokens)
        self.fold = fold
        self.has_variable = VARIABLE in self.tokens
        parts = []
        for token in self.tokens:
            if token == ANY:
                parts.append(".")
            elif token == ANY_IN_SEGMENT:
                parts.append("[^:]")
            elif token == STAR:
                parts.append(".*")
            elif token in (STAR_IN_SEGMENT, VARIABLE):
                parts.append("[^:]*")
            else:
                parts.append(re.escape(token))
        self.regex = re.compile("".join(parts), re.DOTALL | (re.IGNORECASE if fold else 0))

    def matches(self, value):
        return self.regex.fullmatch(value) is not None

    def __repr__(self):
        return f"Pattern({self.text!r})"


_CACHE = {}


def _compile(text, kind, fold=False):
    key = (text, kind, fold)
    found = _CACHE.get(key)
    if found is not None:
        return found
    tokens = []
    i = 0
    while i < len(text):
        char = text[i]
        if kind == "arn_vars" and text.startswith("${", i) and "}" in text[i:]:
            end = text.index("}", i)
            name = text[i + 2 : end]
            tokens.append(name if name in ("*", "?", "$") else VARIABLE)
            i = end + 1
            continue
        if kind == "literal":
            tokens.append(char)
        elif char == "*":
            if kind in ("arn", "arn_vars"):
                ends_segment = i + 1 == len(text) or text[i + 1] == ":"
                tokens.append(STAR if ends_segment else STAR_IN_SEGMENT)
            elif kind == "template":
                tokens.append(STAR_IN_SEGMENT)
            else:
                tokens.append(STAR)
        elif char == "?":
            tokens.append(ANY_IN_SEGMENT if kind in ("arn", "arn_vars", "template") else ANY)
        else:
            tokens.append(char)
        i += 1
    found = Pattern(text, tokens, fold)
    if len(_CACHE) < 200000:
        _CACHE[key] = found
    return found


def action_pattern(text):
    return _compile(str(text), "glob", fold=True)


def arn_pattern(text, variables=True):
    return _compile(str(text), "arn_vars" if variables else "arn")


def string_pattern(text, fold=False):
    """A ``StringLike`` value."""
    return _compile(str(text), "glob", fold)


def literal(text, fold=False):
    """A ``StringEquals`` value (or a concrete request value)."""
    return _compile(str(text), "literal", fold)


def template(text):
    """A set of ARNs: each ``*`` is any text within its segment (``arn:aws:ec2:*:*:volume/*``)."""
    return _compile(str(text), "template")


# ---------------------------------------------------------------- the automaton search


def _closure(tokens, states):
    stack = list(states)
    result = set(states)
    while stack:
        i = stack.pop()
        if i < len(tokens) and tokens[i] in (STAR, STAR_IN_SEGMENT, VARIABLE) and i + 1 not in result:
            result.add(i + 1)
            stack.append(i + 1)
    return frozenset(result)


def _step(pattern, states, char):
    tokens = pattern.tokens
    moved = set()
    for i in states:
        if i == len(tokens):
            continue
        token = tokens[i]
        if token == ANY:
            moved.add(i + 1)
        elif token == ANY_IN_SEGMENT:
            if char != ":":
                moved.add(i + 1)
        elif token == STAR:
            moved.add(i)
        elif token in (STAR_IN_SEGMENT, VARIABLE):
            if char != ":":
                moved.add(i)
        elif token == char or (pattern.fold and token.lower() == char.lower()):
            moved.add(i + 1)
    return _closure(tokens, moved)


def exists(patterns, accept, limit=SEARCH_LIMIT):
    """Whether some string makes ``accept(matched)`` true, ``matched[i]`` telling whether
    ``patterns[i]`` matches it. True or False exactly; None when the search passed ``limit``."""
    patterns = list(patterns)
    alphabet = {":", _FRESH}
    for pattern in patterns:
        for token in pattern.tokens:
            if isinstance(token, str):
                alphabet.add(token)
                if pattern.fold:
                    alphabet.update((token.lower(), token.upper()))
    alphabet.discard(_NEVER)
    start = tuple(_closure(p.tokens, (0,)) for p in patterns)
    ends = [len(p.tokens) for p in patterns]
    positions = range(len(patterns))
    seen = {start}
    queue = [start]
    while queue:
        state = queue.pop()
        if accept(tuple(ends[i] in state[i] for i in positions)):
            return True
        for char in alphabet:
            following = tuple(_step(patterns[i], state[i], char) for i in positions)
            if following not in seen:
                if len(seen) >= limit:
                    return None
                seen.add(following)
                queue.append(following)
    return False


def covers(patterns, target):
    """Whether every string of ``target`` matches one of ``patterns`` (None: undecided). Decided by
    ``witness`` below (one union of ``patterns``, not the product of their automata)."""
    found = witness([([[target]], list(patterns), [])])
    return None if found is None else not found


def overlaps(patterns, target):
    """Whether some string of ``target`` matches one of ``patterns`` (None: undecided)."""
    return witness([([[target], [pattern]], [], []) for pattern in patterns])


# ---------------------------------------------------------------- the witness search, one clause at a time
#
# ``exists`` above tracks every pattern separately, so its state space is the product of all their
# automata: exponential in the number of patterns (8 StringLike values took a minute). The questions
# the evaluator asks only need to know, per *clause*, whether one of its patterns matches, and the
# formula they ask about is "one Allow holds and no Deny holds". ``witness`` therefore:
#
# - merges the patterns of a clause into one automaton (a state: the set of (pattern, position)
#   pairs still alive), so a state has one entry per clause, not per pattern;
# - splits the Allow side into terms (one Allow statement per policy set, one pattern per positive
#   clause while there are few): each term is searched alone, a witness of any term answers yes;
# - puts every Deny that needs one clause into one "must not match" automaton, and explores its
#   states as an antichain: a state whose deny set contains the deny set of an explored state with
#   the same Allow side has no witness the other lacks, and is skipped;
# - stops a branch as soon as an Allow side automaton is dead or the Deny side matches every
#   continuation (a pattern ending in ``*`` has matched);
# - reads only characters that the patterns that must match name, plus ``:`` and one character no
#   pattern names: a character only the Deny side names can be replaced by that one in any witness
#   (a Deny that matches the result matched the original), so it never needs to be tried;
# - knows, when the caller says so, that the key's values are lower-case (``lower_case``: service
#   principals, the values of ``iam:PassedToService``).
#
# Every state explored is counted in ``STATS``; a question explores at most ``SEARCH_LIMIT`` states
# in all, so its cost is polynomial in the size of the policies (each state costs one step per
# pattern and character). Past the limit the answer is None (undecided), which the callers report.

STATS = {"states": 0, "terms": 0}
_TERM_SPLIT_LIMIT = 256  # positive clauses are split into single patterns while the terms stay this few


class _Union:
    """The patterns of one clause as one automaton over sets of (pattern index, position)."""

    __slots__ = ("patterns", "start", "accepting", "absorbing", "_moves", "_single", "_wild", "_by_char")

    def __init__(self, patterns):
        self.patterns = tuple(patterns)
        accepting, absorbing = [], []
        for index, pattern in enumerate(self.patterns):
            end = len(pattern.tokens)
            accepting.append((index, end))
            position = end
            while position > 0 and pattern.tokens[position - 1] == STAR:
                position -= 1
            if position < end:
                # From here on, the pattern matches whatever follows.
                absorbing.extend((index, p) for p in range(position, end + 1))
        self.accepting = frozenset(accepting)
        self.absorbing = frozenset(absorbing)
        self.start = frozenset(
            (index, position) for index, p in enumerate(self.patterns) for position in _closure(p.tokens, (0,))
        )
        self._moves = {}
        self._single = {}
        # Which pairs can move on a character: those at a wildcard, and those at that literal.
        wild, by_char = set(), {}
        for index, pattern in enumerate(self.patterns):
            for position, token in enumerate(pattern.tokens):
                if not isinstance(token, str):
                    wild.add((index, position))
                else:
                    for char in {token, token.lower(), token.upper()} if pattern.fold else (token,):
                        by_char.setdefault(char, set()).add((index, position))
        self._wild = frozenset(wild)
        self._by_char = {char: frozenset(pairs) for char, pairs in by_char.items()}

    def step(self, state, char):
        key = (state, char)
        found = self._moves.get(key)
        if found is None:
            moved = set()
            candidates = state & self._wild
            literal_pairs = self._by_char.get(char)
            if literal_pairs is not None:
                candidates = candidates | (state & literal_pairs)
            for pair in candidates:
                single = self._single.get((pair, char))
                if single is None:
                    index = pair[0]
                    single = self._single[(pair, char)] = tuple(
                        (index, following) for following in _step(self.patterns[index], (pair[1],), char)
                    )
                moved.update(single)
            found = frozenset(moved)
            if len(self._moves) < 200000:
                self._moves[key] = found
        return found

    def accepts(self, state):
        return not self.accepting.isdisjoint(state)

    def absorbed(self, state):
        """Whether every continuation is matched (a pattern ending in ``*`` has matched its prefix)."""
        return not self.absorbing.isdisjoint(state)

    def characters(self, lower_case):
        found = set()
        for pattern in self.patterns:
            for token in pattern.tokens:
                if isinstance(token, str):
                    if pattern.fold:
                        found.update((token.lower(), token.upper()))
                    else:
                        found.add(token)
        if lower_case:
            found = {c for c in found if c == c.lower()}
        return found


def _unions(cache, patterns):
    key = tuple((p.tokens, p.fold) for p in patterns)
    found = cache.get(key)
    if found is None:
        found = cache[key] = _Union(patterns)
    return found


def _term_search(positives, negative, generic, lower_case, budget):
    """Whether some string is matched by every union of ``positives``, by none of ``negative``, and
    makes no ``generic`` formula (a list of ``(negated, union)`` clauses that must not all hold) true.
    Returns ``(answer, states explored)``; answer None when ``budget`` states did not decide."""
    alphabet = {":", _FRESH}
    for union in positives:
        alphabet |= union.characters(lower_case)
    for clauses in generic:
        for dummy, union in clauses:
            alphabet |= union.characters(lower_case)
    alphabet.discard(_NEVER)
    # The fresh character first: most witnesses are "anything the patterns do not name".
    alphabet = [_FRESH] + sorted(alphabet - {_FRESH})

    # (Indexes rather than zip(): module_utils keep to what every supported target Python has.)
    def accept(state):
        positive, deny, others = state
        if not all(positives[i].accepts(positive[i]) for i in range(len(positives))) or negative.accepts(deny):
            return False
        for g, clauses in enumerate(generic):
            if all(clauses[c][1].accepts(others[g][c]) != clauses[c][0] for c in range(len(clauses))):
                return False
        return True

    def alive(state):
        positive, deny, dummy = state
        return all(positive) and not negative.absorbed(deny)

    start = (
        tuple(u.start for u in positives),
        negative.start,
        tuple(tuple(union.start for dummy, union in clauses) for clauses in generic),
    )
    if not alive(start):
        return False, 1
    frontier = {}  # (Allow side, generic side) -> the minimal deny sets explored with it
    explored = 0

    def fresh(state):
        key = (state[0], state[2])
        minimal = frontier.setdefault(key, [])
        deny = state[1]
        if any(seen <= deny for seen in minimal):
            return False
        minimal[:] = [seen for seen in minimal if not deny <= seen]
        minimal.append(deny)
        return True

    fresh(start)
    stack = [start]
    while stack:
        state = stack.pop()
        explored += 1
        if accept(state):
            return True, explored
        if explored >= budget:
            return None, explored
        positive, deny, others = state
        for char in reversed(alphabet):
            following = (
                tuple(positives[i].step(positive[i], char) for i in range(len(positives))),
                negative.step(deny, char),
                tuple(
                    tuple(clauses[c][1].step(others[g][c], char) for c in range(len(clauses)))
                    for g, clauses in enumerate(generic)
                ),
            )
            if alive(following) and fresh(following):
                stack.append(following)
    return False, explored


def witness(terms, lower_case=False, limit=None):
    """Whether some string satisfies one of ``terms``; each term is ``(positives, negatives, generic)``:
    lists of pattern lists that must each match (one pattern of each), patterns none of which may
    match, and lists of ``(negated, patterns)`` clauses that must not all hold. True or False
    exactly; None when ``limit`` states (in all; default ``SEARCH_LIMIT``) did not decide. Polynomial:
    see above."""
    limit = SEARCH_LIMIT if limit is None else limit
    cache = {}
    compiled = []
    seen = set()
    # Terms split from one formula share their Deny side (the same list): key and compile it once, not
    # once per term (hundreds of terms times hundreds of Deny patterns).
    shared = {}
    for positives, negatives, generic in terms:
        if id(negatives) not in shared:
            shared[id(negatives)] = (frozenset((p.tokens, p.fold) for p in negatives), negatives)
        negative_key = shared[id(negatives)][0]
        key = (
            frozenset(frozenset((p.tokens, p.fold) for p in group) for group in positives),
            negative_key,
            tuple(tuple((n, tuple((p.tokens, p.fold) for p in g)) for n, g in clauses) for clauses in generic),
        )
        if key in seen:
            continue
        seen.add(key)
        if negative_key not in cache:
            cache[negative_key] = _Union(list(negatives))
        compiled.append(
            (
                [_unions(cache, group) for group in positives],
                cache[negative_key],
                [[(negated, _unions(cache, group)) for negated, group in clauses] for clauses in generic],
            )
        )
    STATS["terms"] += len(compiled)
    if not compiled:
        return False
    # A first pass gives each term an equal share, so that one hard term cannot hide another's witness;
    # the terms it left undecided then share what is left. ``work`` bounds states x patterns as well.
    share = max(64, limit // (2 * len(compiled)))
    budget = _Budget(limit, lower_case)
    undecided = []
    for term in compiled:
        answer = budget.search(term, share)
        if answer:
            return True
        if answer is None:
            undecided.append(term)
        if budget.exhausted():
            return None
    for term in undecided:
        answer = budget.search(term, limit)
        if answer:
            return True
        if answer is None or budget.exhausted():
            return None
    return False


class _Budget:
    """The states (``limit``) and the states x patterns (``WORK_LIMIT``) one ``witness`` call may spend."""

    def __init__(self, limit, lower_case):
        self.limit = limit
        self.lower_case = lower_case
        self.spent = self.work = 0

    def search(self, term, cap):
        """``_term_search`` of ``term`` with at most ``cap`` states of what is left."""
        cost = _term_cost(term)
        allowed = min(cap, self.limit - self.spent, max(1, (WORK_LIMIT - self.work) // cost))
        answer, states = _term_search(term[0], term[1], term[2], self.lower_case, allowed)
        self.spent += states
        self.work += states * cost
        STATS["states"] += states
        return answer

    def exhausted(self):
        return self.spent >= self.limit or self.work >= WORK_LIMIT


def _term_cost(term):
    """The patterns one step of one state of ``term`` touches."""
    positives, negative, generic = term
    count = sum(len(u.patterns) for u in positives) + len(negative.patterns)
    return max(1, count + sum(len(u.patterns) for clauses in generic for dummy, u in clauses))


def split_terms(alternatives, denies, excluded=()):
    """The terms of "one of each ``alternatives`` list holds, no Deny holds, the string is none of
    ``excluded``" for ``witness``: ``alternatives`` a list (one per policy set) of lists of clause
    lists (Allow statements), ``denies`` a list of clause lists (Deny statements); a clause is
    ``(negated, [Pattern])``. None when a Deny holds whatever the string."""
    negatives = list(excluded)
    positives = []
    generic = []
    for clauses in denies:
        if not clauses:
            return None
        if len(clauses) == 1:
            negated, group = clauses[0]
            # Not denied: outside a StringLike deny, inside a StringNotLike deny.
            (positives.append(list(group)) if negated else negatives.extend(group))
        else:
            generic.append(clauses)
    terms = []
    for chosen in _product(alternatives):
        term_positives = list(positives)
        term_negatives = list(negatives)
        for clauses in chosen:
            for negated, group in clauses:
                (term_negatives.extend(group) if negated else term_positives.append(list(group)))
        # One pattern per positive clause, while the number of terms stays small.
        choices = [[]]
        for group in sorted(term_positives, key=len):
            if len(choices) * len(group) <= _TERM_SPLIT_LIMIT:
                choices = [chosen_ + [[p]] for chosen_ in choices for p in group]
            else:
                choices = [chosen_ + [group] for chosen_ in choices]
        for groups in choices:
            terms.append((groups, term_negatives, generic))
    return terms


def _product(lists):
    found = [[]]
    for items in lists:
        found = [done + [item] for done in found for item in items]
    return found


# ---------------------------------------------------------------- statements


def _as_list(value):
    if value is None:
        return []
    if isinstance(value, (list, tuple)):
        return list(value)
    return [value]


def _condition_value(value):
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


_EVERY_ACTION = re.compile(r"\*+(:\*+)?\Z")


class Statement:
    """One compiled statement of an identity policy. Actions are compiled at once; resources and
    conditions by ``finish()``, so that statements about other actions cost little."""

    __slots__ = (
        "raw",
        "version",
        "effect",
        "actions",
        "not_actions",
        "resources",
        "not_resources",
        "conditions",
        "action_text",
        "administrator",
    )

    def __init__(self, raw, version):
        self.raw = raw
        self.version = version
        self.effect = raw.get("Effect")
        self.action_text = [str(a) for a in _as_list(raw.get("Action"))]
        self.actions = [action_pattern(a) for a in self.action_text] if "Action" in raw else None
        self.not_actions = [action_pattern(a) for a in _as_list(raw["NotAction"])] if "NotAction" in raw else None
        # An unconditional Allow of every action on every resource (AdministratorAccess and the like):
        # Action "*" (or "*:*"), Resource "*", no Condition. Action "*" on some resources only is not.
        self.administrator = (
            self.effect == "Allow"
            and any(_EVERY_ACTION.match(a) for a in self.action_text)
            and any(str(r).strip("*") == "" for r in _as_list(raw.get("Resource")))
            and not raw.get("Condition")
        )
        self.resources = self.not_resources = self.conditions = None

    def finish(self):
        raw = self.raw
        variables = self.version == "2012-10-17"
        if "Resource" in raw:
            self.resources = [arn_pattern(r, variables) for r in _as_list(raw["Resource"])]
        if "NotResource" in raw:
            self.not_resources = [arn_pattern(r, variables) for r in _as_list(raw["NotResource"])]
        self.conditions = []
        condition = raw.get("Condition") or {}
        if isinstance(condition, dict):
            for operator, block in sorted(condition.items()):
                if not isinstance(block, dict):
                    self.conditions.append((str(operator), "", [_condition_value(block)]))
                    continue
                for key, values in sorted(block.items()):
                    self.conditions.append((str(operator), str(key), [_condition_value(v) for v in _as_list(values)]))
        return self

    def matches_action(self, action):
        if self.actions is not None:
            return any(p.matches(action) for p in self.actions)
        if self.not_actions is not None:
            return not any(p.matches(action) for p in self.not_actions)
        return False

    def resource_applies(self, arn):
        """True, False, or the text of the patterns with policy variables that might match ``arn``."""
        if self.resources is not None:
            if any(p.matches(arn) for p in self.resources if not p.has_variable):
                return True
            maybe = [p.text for p in self.resources if p.has_variable and p.matches(arn)]
            return maybe or False
        if self.not_resources is not None:
            if any(p.matches(arn) for p in self.not_resources if not p.has_variable):
                return False
            maybe = [p.text for p in self.not_resources if p.has_variable and p.matches(arn)]
            return ["NotResource " + text for text in maybe] or True
        return False


def statements(document, action=None):
    """The compiled statements of a policy document (a dict, or None); with ``action``, only those
    that can bear on it (Action / NotAction match)."""
    if not isinstance(document, dict):
        return []
    version = str(document.get("Version") or "2008-10-17")
    found = []
    for raw in _as_list(document.get("Statement")):
        if isinstance(raw, dict) and (action is None or _bears_on(raw, action)):
            statement = Statement(raw, version)
            if action is None or statement.matches_action(action):
                found.append(statement.finish())
    return found


_HITS = {}


def _hits(text, action):
    key = (text, action)
    hit = _HITS.get(key)
    if hit is None:
        hit = action_pattern(text).matches(action)
        if len(_HITS) < 200000:
            _HITS[key] = hit
    return hit


def _bears_on(raw, action):
    """A quick look at a raw statement's Action / NotAction (most statements are about other actions)."""
    if "Action" in raw:
        return any(_hits(str(a), action) for a in _as_list(raw["Action"]))
    if "NotAction" in raw:
        return not all(_hits(str(a), action) for a in _as_list(raw["NotAction"]))
    return False


# ---------------------------------------------------------------- conditions on one key

_STRING_OPERATORS = {
    "stringequals": ("equals", False, False),
    "stringnotequals": ("equals", True, False),
    "stringequalsignorecase": ("equals", False, True),
    "stringnotequalsignorecase": ("equals", True, True),
    "stringlike": ("like", False, False),
    "stringnotlike": ("like", True, False),
}


def _base_operator(operator):
    name = operator
    if ":" in name:
        qualifier, name = name.split(":", 1)
        if qualifier.lower() not in ("foranyvalue", "forallvalues"):
            return None
    if name.lower().endswith("ifexists"):
        name = name[: -len("ifexists")]
    return name.lower()


def key_clauses(conditions, key):
    """Split a statement's conditions into clauses on ``key`` (which IAM always sets, single-valued)
    and the undecided rest. Returns ``(clauses, undecided)``; ``clauses`` is a list of
    ``(negated, [Pattern])`` that must all hold, or None when the conditions can never hold."""
    clauses = []
    undecided = []
    for operator, name, values in conditions:
        if name.lower() != key.lower():
            undecided.append((operator, name, values))
            continue
        base = _base_operator(operator)
        if base == "null":
            # Null true: "the key is absent", never so on this request; false: always so.
            if any(v.lower() == "true" for v in values) and not any(v.lower() == "false" for v in values):
                return None, []
            continue
        if base not in _STRING_OPERATORS or any("${" in v for v in values):
            # Another operator on the key, or a policy variable in a value: not decided here.
            undecided.append((operator, name, values))
            continue
        kind, negated, fold = _STRING_OPERATORS[base]
        make = literal if kind == "equals" else string_pattern
        clauses.append((negated, [make(v, fold) for v in values]))
    return clauses, undecided


def clauses_hold(clauses, value):
    for negated, patterns in clauses:
        if any(p.matches(value) for p in patterns) == negated:
            return False
    return True


# ---------------------------------------------------------------- one action on one resource


class Access:
    """What a set of policies allows for one action on one resource, as a function of one
    condition key's value. ``allows(value, certain)``; ``allows_other_than(value, certain)``."""

    def __init__(self, allow, deny, boundary_allow, boundary_deny, has_boundary, undecided):
        # Each item: (clauses, decided) where decided is False when other conditions, variables or
        # an unknown boundary make the statement's effect undecidable.
        self.allow = allow
        self.deny = deny
        self.boundary_allow = boundary_allow
        self.boundary_deny = boundary_deny
        self.has_boundary = has_boundary
        self.undecided = undecided
        self.lower_case = False  # evaluate() sets it (its ``lower_case``)

    def _formula(self, certain):
        """The allowed set: possibly (certain=False) or surely (certain=True)."""

        def group(items, want_decided):
            return [c for c, decided in items if decided or not want_decided]

        if certain:
            allows, denies = group(self.allow, True), group(self.deny, False)
            b_allows, b_denies = group(self.boundary_allow, True), group(self.boundary_deny, False)
        else:
            allows, denies = group(self.allow, False), group(self.deny, True)
            b_allows, b_denies = group(self.boundary_allow, False), group(self.boundary_deny, True)
        parts = [(allows, denies)]
        if self.has_boundary:
            parts.append((b_allows, b_denies))
        return parts

    def allows(self, value, certain):
        for allows, denies in self._formula(certain):
            if not any(clauses_hold(c, value) for c in allows):
                return False
            if any(clauses_hold(c, value) for c in denies):
                return False
        return True

    def allows_other_than(self, value, certain):
        """Whether some value other than ``value`` is allowed (None: undecided by the search)."""
        parts = self._formula(certain)
        if any(not allows for allows, _denies in parts):
            return False
        key = (value, self.lower_case, tuple((_formula_key(allows), _formula_key(denies)) for allows, denies in parts))
        if key not in _ANSWERS:
            if len(_ANSWERS) > 100000:
                _ANSWERS.clear()
            _ANSWERS[key] = self._search(value, parts)
        return _ANSWERS[key]

    def _search(self, value, parts):
        """One Allow of every part holds, no Deny of any part holds, the value is not ``value``."""
        terms = split_terms(
            [allows for allows, dummy in parts],
            [clauses for dummy, denies in parts for clauses in denies],
            [literal(value)],
        )
        if terms is None:
            return False
        return witness(terms, lower_case=self.lower_case)


_ANSWERS = {}


def _formula_key(clause_lists):
    """The same union of clause lists gives the same key, whatever the statements it came from."""
    return frozenset(
        frozenset((negated, frozenset((p.tokens, p.fold) for p in group)) for negated, group in clauses)
        for clauses in clause_lists
    )


# Request-context keys the caller sets by how it calls (TLS, MFA, network, time, client): a
# principal asking "can I pass this role" can meet an Allow's condition on them and dodge a Deny's. So
# "who can pass the role" takes the caller's side on them: such an Allow holds and such a Deny does not
# apply. Otherwise a routine MFA or TLS Deny would turn an administrator or an any-service grant into
# an undecided "conditional" (a lower severity that anyone who writes a policy could buy).
CALLER_CONTEXT_KEYS = frozenset(
    k.lower()
    for k in (
        "aws:SecureTransport",
        "aws:MultiFactorAuthPresent",
        "aws:MultiFactorAuthAge",
        "aws:SourceIp",
        "aws:SourceVpc",
        "aws:SourceVpce",
        "aws:VpcSourceIp",
        "aws:CurrentTime",
        "aws:EpochTime",
        "aws:UserAgent",
        "aws:Referer",
        "aws:TokenIssueTime",
        "aws:ViaAWSService",
        "aws:CalledVia",
        "aws:CalledViaFirst",
        "aws:CalledViaLast",
    )
)


def _sort_statement(statement, action, resource, key, undecided, where):
    """(effect, (clauses, decided)) for a statement that may apply, or None. Conditions on
    ``CALLER_CONTEXT_KEYS`` are the caller's to meet or dodge: an Allow's hold, a Deny with one does
    not apply."""
    if statement.effect not in ("Allow", "Deny") or not statement.matches_action(action):
        return None
    applies = statement.resource_applies(resource)
    if applies is False:
        return None
    clauses, others = key_clauses(statement.conditions, key)
    if clauses is None:
        return None
    context = [c for c in others if c[1].lower() in CALLER_CONTEXT_KEYS]
    if context and statement.effect == "Deny":
        return None
    others = [c for c in others if c not in context]
    decided = applies is True and not others
    for operator, name, values in others:
        undecided.append(dict(where, effect=statement.effect, operator=operator, key=name, values=values))
    if applies is not True:
        for text in applies:
            undecided.append(
                dict(where, effect=statement.effect, operator="Resource", key="policy variable", values=[text])
            )
    return statement.effect, (clauses, decided)


def evaluate(policies, action, resource, key, boundary=None, lower_case=False):
    """``policies``: ``[(where, [Statement])]`` (``where`` a dict saying which policy, copied into
    every undecided condition); ``boundary``: None (no boundary), ``[Statement]``, or ``False`` (a
    boundary whose document is unknown); ``key``: the condition key decided exactly; ``lower_case``:
    its values are lower-case whatever the policy says (service principals such as
    ``ecs.amazonaws.com``, the values of ``iam:PassedToService``): ``StringEqualsIgnoreCase`` on it
    then means the lower-case value, and a case-sensitive pattern with a capital letter matches no
    real request. Returns an ``Access``."""
    undecided = []
    allow, deny = [], []
    for where, compiled in policies:
        for statement in compiled:
            sorted_ = _sort_statement(statement, action, resource, key, undecided, where)
            if sorted_ is not None:
                (allow if sorted_[0] == "Allow" else deny).append(sorted_[1])
    boundary_allow, boundary_deny = [], []
    if boundary is False:
        boundary_allow.append(([], False))
        undecided.append(
            {"effect": "Allow", "operator": "PermissionsBoundary", "key": "document not readable", "values": []}
        )
    elif boundary is not None:
        where = {"policy_name": "permissions boundary"}
        for statement in boundary:
            sorted_ = _sort_statement(statement, action, resource, key, undecided, where)
            if sorted_ is not None:
                (boundary_allow if sorted_[0] == "Allow" else boundary_deny).append(sorted_[1])
    access = Access(allow, deny, boundary_allow, boundary_deny, boundary is not None, undecided)
    access.lower_case = lower_case
    return access
