"""Public visibility and reputation: what response delays do to what people see and say about the brand.

Modules: ``exposure`` (visibility curve of a public post and its integrals), ``ledger`` (sentiment weights per thread
state, the value of a reply by its delay), ``hawkes`` (pile-ons: the self-exciting complaint process), ``spillover``
(a bad call becomes a public complaint), ``word_of_mouth``, ``churn`` (contacting customers who leave), ``deflection`` (public answers
remove later questions), ``repeat`` (replied customers complain again), ``experience`` (how a contact went),
``keyed`` (draws keyed by contact), ``expectations`` (the reply time each customer expects), ``disconfirmation`` (how
late against it, and what that does), ``customers`` (each contacting customer's expectation, response, satisfaction,
churn and stories), ``silent_majority`` (customers with the same issue who never contact), ``manager`` (customers
retained, lost and won, and money, per interval), ``config`` (the ``[reputation]`` section), ``live`` (the
mechanisms acting during a run), ``accounts`` (contact columns, the per-interval ledger and per-replication metrics). See docs/reputation.md.
"""
