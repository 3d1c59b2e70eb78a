"""Lesson 3 page: funnel or direct social, on the same customers and the same budget."""
import plotly.graph_objects as go
import streamlit as st
from plotly.subplots import make_subplots

from sim.app import ui
from sim.app.social import SocialInputs, compare, design_rows


@st.cache_data(max_entries=128, show_spinner="Simulating the phone funnel…")
def phone_design(agents, misroute, replications):
    """The phone funnel (share 0): it does not depend on the social controls, so it is run once per budget."""
    return design_rows(SocialInputs(share_social=0.0, agents=agents, misroute=misroute).scenario(0.0, replications))


@st.cache_data(max_entries=256, show_spinner="Simulating the other design…")
def other_design(share, agents, concurrency, silence, misroute, replications):
    return design_rows(SocialInputs(share, agents, concurrency, silence, misroute).scenario(None, replications))


def both(share, agents, concurrency, silence, misroute, replications):
    return (phone_design(agents, misroute, replications),
            other_design(share, agents, concurrency, silence, misroute, replications))


ui.lesson("3 · Funnel or direct social, on the same customers", """
The project's headline question, in small. One population of customers with an issue arrives over a morning
(120 an hour for three hours). In the **phone funnel** everyone calls the menu tree of lesson 2: redials after a
failure, a second call when the issue is not resolved. In the other design a share of the *same* customers post to
a **social team** instead, which answers directly: a conversation of 3–6 agent messages, each agent holding several
conversations at once, customers who may go quiet. **Both designs cost the same**: the same agents at the same price,
the phone teams keeping their share of the agents. Each customer arrives at the same moment with the same persona in
both designs, so the differences are *paired* — day by day, customer for customer.

*Built on today's social model (conversations held by an agent). The asynchronous-messaging, next-try and
expectation models now being added to contactsim will change how a social customer is handled and when they try
again; this lesson will be moved onto them.*
""")

left, right = st.columns([1, 2.4])
with left:
    st.subheader("Controls")
    share = st.select_slider("Share of customers on social", [0.25, 0.5, 0.75, 1.0], 1.0, key="share_social",
                             format_func=lambda s: f"{s:.0%}")
    agents = st.slider("Budget: agents over the morning (both designs)", 6, 30, 14, 1, key="agents")
    concurrency = st.slider("Conversations a social agent holds at once", 1, 5, 3, 1, key="concurrency",
                            help="practice 2–4 (domain notes §3); each extra one slows every message by 18% "
                                 "(Goes, Ilk, Lin & Zhao 2018)")
    silence = st.slider("Chance a social customer goes quiet after a message", 0.0, 0.4, 0.1, 0.05, key="silence",
                        help="silent abandonment (Castellanos, Yom-Tov & Goldberg); size assumed")
    misroute = st.slider("Phone menu: chance of a wrong press per level", 0.0, 0.3, 0.07, 0.01, key="misroute")
    reps = ui.replications("precise_3", quick=3, precise=8)

with right:
    (phone, other), seconds = ui.timed(both, share, agents, concurrency, silence, misroute, reps)
    table = compare(phone, other).set_index("metric")
    c = st.columns(3)
    for col, metric, digits in zip(c, ("resolved_share", "time_to_human_median_min", "cost_per_resolved"), (1, 1, 2)):
        r = table.loc[metric]
        col.metric(r["label"].split(" (")[0], ui.fmt(r["design"], r["unit"], digits),
                   delta=ui.ci_text(r["difference"], r["half_width"], r["unit"], digits) + " vs phone",
                   delta_color="normal" if r["higher_is_better"] else "inverse")
    ui.took(seconds, reps)
    fig = make_subplots(rows=1, cols=len(table), subplot_titles=[ui.short(x) for x in table["label"]])
    for k, (_, r) in enumerate(table.iterrows(), start=1):
        fig.add_trace(go.Bar(x=["phone", "social mix"], y=[r["phone"], r["design"]], showlegend=False,
                             marker_color=["#4c72b0", "#55a868"],
                             text=[ui.fmt(r["phone"], r["unit"]), ui.fmt(r["design"], r["unit"])],
                             textposition="outside"), 1, k)
    fig.update_layout(height=330, margin={"t": 60, "b": 30, "l": 10, "r": 10},
                      title=f"phone funnel against {share:.0%} on social, same customers (mean over the mornings)")
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
               "Issues still open at the end of the simulated morning (plus two quiet hours) count as unresolved.")

ui.question(
    "On the same budget, is direct social better for customers than the phone funnel? Better on what: speed to a "
    "person, resolution, or cost? Which assumption would you have to change for the answer to flip?",
    "- A phone call is answered in seconds or abandoned; a social post waits longer for its first reply, but the "
    "customer is not held on a line and nobody is transferred.\n"
    "- A conversation takes many exchanges with the customer thinking in between: holding several at once is what "
    "makes social agents productive, and the slowdown per extra conversation is what limits it.\n"
    "- Customers who go quiet cap what social can resolve, whatever the staffing; phone customers call again.\n"
    "- The differences are paired: the same customers in both designs, so a small difference can still be clear.")
ui.download(SocialInputs(share, agents, concurrency, silence, misroute).scenario(None, reps), "lesson_social.toml",
            "Lesson 3 of the contactsim teaching app: funnel or direct social on the same customers (contactsim app).\n"
            "This file is the design shown; set choice.channels to { phone = 1.0, social = 0.0 } and give the social\n"
            "team's agents back to the phone teams for the phone-funnel design.")
