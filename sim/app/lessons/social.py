"""Lesson 3 page: funnel or direct social, on the same customers and the same budget."""
import plotly.graph_objects as go
import streamlit as st
from plotly.subplots import make_subplots

from sim.app import ui
from sim.app.social import CHOICES, SocialInputs, compare, design_rows, phone_inputs, phone_rows

QUICK, PRECISE = 2, 8
AGENTS = CHOICES["agents"]  # every value a control offers is on the precomputed grid (sim.app.grid)


@st.cache_data(max_entries=128, show_spinner="Simulating the phone funnel…")
def phone_design(inputs: SocialInputs, replications: int):
    """The phone funnel: it does not depend on the social controls, so it is run once per budget, menu and next try
    (``inputs``: the social controls at their defaults, ``phone_inputs``)."""
    return phone_rows(inputs, replications)


@st.cache_data(max_entries=256, show_spinner="Simulating the other design…")
def other_design(inputs: SocialInputs, replications: int):
    return design_rows(inputs.scenario(None, replications))


def run(inputs: SocialInputs, replications: int) -> dict:
    return {"phone": phone_design(phone_inputs(inputs), replications),
            "design": other_design(inputs, replications), "replications": replications}


ui.lesson("3 · Funnel or direct social, on the same customers", """
The project's headline question, in small. One population of customers with an issue arrives over a morning
(120 an hour from 09:00 to 12:00). In the **phone funnel** everyone calls the menu tree of lesson 2. In the other
design a share of the *same* customers post to a **social team** instead, which answers by **messaging**: an agent's
time goes only to replies (3–6 per issue), the thread waits for the customer in between, and a customer whose message
waits longer than their patience leaves without a word. **Both designs cost the same**: the same agents on the same
09:00–17:00 shift at the same price. Each customer arrives at the same moment with the same persona in both designs,
so the differences are *paired*. Every customer is followed for three days: resolved **by the end of their day**,
**within 24 h**, **within 72 h**.

Two assumptions move how far one design leads, so they are controls, the same for both designs:

- **The next try.** A customer whose contact failed or left the issue open tries again with one probability, after one
  mean delay, on the same channel: on the phone a redial after a blocked or abandoned call and a second call after
  an unresolved one; on social a new post after a thread that went silent (the customer gave up waiting), was
  ignored or ended unresolved. 0 is the headline study's single try.
- **Deflection.** A public answer is read by others with the same question: this share of later questions on its
  topic (20 topics) is never posted, fading over 4 hours. A deflected customer counts as resolved at once. The phone
  has no such effect (its self-service is the IVR's).

*Assumed* (no source gives them): the next try's probability (0.5) and delay (mean 1 h), deflection's 0.2 (the
headline study's), its 4-hour fading and 20 topics, the 8-hour reply patience, the $30 an hour.
""")

left, right = ui.controls()
with left:
    share = st.select_slider("Share of customers on social", CHOICES["share_social"], 1.0, key="share_social",
                             format_func=lambda s: f"{s:.0%}")
    agents = st.slider("Budget: agents on the shift (both designs)", AGENTS[0], AGENTS[-1], 14,
                       AGENTS[1] - AGENTS[0], key="agents")
    concurrency = st.slider("Threads a social agent holds at once (cap)", CHOICES["concurrency"][0],
                            CHOICES["concurrency"][-1], 5, 1, key="concurrency",
                            help="each extra thread slows every reply by 18% (Goes, Ilk, Lin & Zhao 2018); "
                                 "a cap of 5 is common practice (assumed)")
    patience = st.select_slider("Social customers' patience for a reply (mean)", CHOICES["patience"], "8 h",
                                key="patience", help="silent abandonment (Castellanos, Yom-Tov & Goldberg); size "
                                                     "assumed")
    misroute = st.select_slider("Phone menu: chance of a wrong press per level", CHOICES["misroute"], 0.07, key="misroute")
    deflection = st.select_slider("Deflection: share of later questions a public answer deflects",
                                  CHOICES["deflection"], 0.2, key="deflection", format_func=lambda s: f"{s:.0%}",
                                  help="a question on a topic answered in public is not posted with this chance, "
                                       "fading over 4 h (sim.reputation.deflection; assumed)")
    next_try = st.select_slider("Next try: chance a customer tries again (phone and social)", CHOICES["next_try"],
                                0.5, key="next_try", format_func=lambda s: f"{s:.0%}",
                                help="after a failed or unresolved contact; 0: a single try (assumed)")
    next_try_delay = st.select_slider("Next try: mean delay before trying again", CHOICES["next_try_delay"], "1 h",
                                      key="next_try_delay", help="exponential (assumed)")
    reps = ui.replications("precise_3", quick=QUICK, precise=PRECISE)
    inputs = SocialInputs(share, agents, concurrency, patience, misroute, deflection, next_try, next_try_delay)

with right:
    result = ui.result("social", inputs, run, reps, bool(st.session_state.get("precise_3")))
    table = compare(result["phone"], result["design"]).set_index("metric")
    c = st.columns(3)
    for col, metric, digits in zip(c, ("resolved_within_72h_share", "time_to_human_median_min", "cost_per_resolved"),
                                   (1, 1, 2)):
        r = table.loc[metric]
        col.metric(r["label"].split(" (")[0], ui.fmt(r["design"], r["unit"], digits),
                   delta=ui.ci_text(r["difference"], r["half_width"], r["unit"], digits) + " vs phone",
                   delta_color="normal" if r["higher_is_better"] else "inverse")
    shown_rows = table.drop(index=["resolved_by_end_of_day_share", "resolved_within_24h_share", "deflected"])
    fig = make_subplots(rows=1, cols=len(shown_rows), subplot_titles=[ui.short(x) for x in shown_rows["label"]])
    for k, (_, r) in enumerate(shown_rows.iterrows(), start=1):
        fig.add_trace(go.Bar(x=["phone", "social mix"], y=[r["phone"], r["design"]], showlegend=False,
                             marker_color=["#4c72b0", "#55a868"],
                             text=[ui.fmt(r["phone"], r["unit"]), ui.fmt(r["design"], r["unit"])],
                             textposition="outside"), 1, k)
    fig.update_layout(height=330, margin={"t": 60, "b": 30, "l": 10, "r": 10},
                      title=f"phone funnel against {share:.0%} on social, same customers (mean over the days)")
    fig.update_annotations(font_size=11)
    st.plotly_chart(fig, key="designs_figure")
    shown = table.reset_index()[["label", "phone", "design", "difference", "half_width", "unit"]]
    st.dataframe(shown.assign(
        phone=[ui.fmt(v, u) for v, u in zip(shown["phone"], shown["unit"])],
        design=[ui.fmt(v, u) for v, u in zip(shown["design"], shown["unit"])],
        difference=[ui.ci_text(d, h, u) for d, h, u in zip(shown["difference"], shown["half_width"], shown["unit"])],
    ).drop(columns=["half_width", "unit"]).rename(columns={"label": "measure", "phone": "phone funnel",
                                                          "design": f"{share:.0%} on social",
                                                          "difference": "paired difference (95% CI)"}),
        hide_index=True, width="stretch")
    st.caption("Time to a human counts a customer never reached as infinitely long (so the median can be ∞). "
               "Resolution follows each customer for 72 h (sim.horizons): work left at 17:00 waits for the next "
               "morning's shift; a deflected question is resolved at once and left out of time to a human. "
               "The cost is one day's shift of every agent ($30 an hour, assumed).")

ui.question(
    "On the same budget, is direct social better for customers than the phone funnel? Better on what: speed to a "
    "person, resolution, or cost? Set deflection to 0, then move the next try from 0 to 80%: does the ranking hold, and by how much?",
    "- **How far one design leads depends on deflection and on the next try** (the headline study's finding, "
    "experiments/funnel_vs_social.py): deflection resolves social customers nobody had to answer, so it widens "
    "social's lead; a next try gives every failed or unresolved customer a second chance on both sides, and lifts the "
    "side that leaves more customers failed or unresolved — here the phone — so it narrows the gap. Compare the grid's "
    "corners: deflection 0 or 40%, next try 0 or 80%.\n"
    "- A phone call is answered in seconds or abandoned; a social post waits longer for its first reply, but the "
    "customer is not held on a line and nobody is transferred.\n"
    "- In messaging an agent spends no time while the customer thinks: holding several threads is what makes social "
    "agents productive, and the slowdown per extra thread is what limits it.\n"
    "- Impatient customers leave silently and cap what social can resolve, unless they post again (the next try).\n"
    "- Work left at 17:00 waits for the next morning: with a small team (6 agents, or one thread per agent) the "
    "shares resolved by the end of the day, within 24 h and within 72 h come apart.\n"
    "- The differences are paired: the same customers in both designs, so a small difference can still be clear.")
ui.download(inputs.scenario(None, int(result["replications"])), "lesson_social.toml",
            "Lesson 3 of the contactsim teaching app: funnel or direct social on the same customers (contactsim app).\n"
            "This file is the design shown; set choice.channels to { phone = 1.0, social = 0.0 } and give the social\n"
            "team's agents back to the phone teams for the phone-funnel design.")
