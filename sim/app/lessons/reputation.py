"""Lesson 4 page: response delay and reputation (social team size → reply times → what others see → customers lost)."""
import numpy as np
import plotly.graph_objects as go
import streamlit as st

from sim.app import ui
from sim.app.delay import WINDOWS, DelayInputs, compute


@st.cache_data(max_entries=256, show_spinner="Simulating the day…")
def run(agents, concurrency, answer_complaints, excitation, replications):
    return compute(DelayInputs(agents, concurrency, answer_complaints, excitation), replications)


ui.lesson("4 · Response delay and reputation", """
A complaint posted in public is seen by others: the author's followers, people searching, people who join in. While
it stays **unanswered** it does harm; a **reply**, the faster the better, turns some of that round. Here a social
desk answers a day of posts (about 240: complaints, questions, praise). Change the team and watch: how long posts
wait for a first reply against what customers expect, what **other people see** of it, and the **customers lost**.

*This lesson shows the reputation model's exposure, pile-ons, word of mouth, silent churn and the value of a fast
reply. The expectation-driven reputation and the manager's ledger of customers retained, lost and won reached
contactsim only as this lesson was finished: it runs on them but does not show them yet, and will be brought onto
them.*
""")

left, right = st.columns([1, 2.4])
with left:
    st.subheader("Controls")
    agents = st.slider("Social agents on shift", 1, 10, 3, 1, key="agents")
    concurrency = st.slider("Conversations an agent holds at once", 1, 5, 3, 1, key="concurrency")
    answer = st.slider("Share of complaints the desk answers at all", 0.3, 1.0, 0.9, 0.05, key="answer_complaints",
                       help="triage: brands answer fewer than half of complaints (Gunarathne, Rui & Seidmann 2018)")
    excitation = st.slider("How readily others pile on (excitation)", 0.0, 0.6, 0.3, 0.05, key="excitation",
                           help="self-exciting complaints (Rizoiu et al. 2017); 0.3–0.5 in the domain notes")
    reps = ui.replications("precise_4", quick=3, precise=10)

with right:
    result, seconds = ui.timed(run, agents, concurrency, answer, excitation, reps)
    tab = result["table"].set_index("metric")
    win = result["windows"].set_index("window")
    c = st.columns(4)
    ui.metric(c[0], "First reply, median", tab.at["first_response_median_s", "simulated"],
              tab.at["first_response_median_s", "half_width"], "min")
    ui.metric(c[1], "Replied within 1 hour", win.at["within 1 h", "share"], unit="%")
    ui.metric(c[2], "Negative impressions", tab.at["impressions_negative", "simulated"],
              tab.at["impressions_negative", "half_width"], "", 0)
    ui.metric(c[3], "Customers lost", tab.at["churned", "simulated"], tab.at["churned", "half_width"])
    ui.took(seconds, reps)
    replies = np.sort(result["replies"].to_numpy(float))
    n = len(replies)
    fig = go.Figure()
    if n:
        done = replies[~np.isnan(replies)]
        fig.add_trace(go.Scatter(x=done, y=np.arange(1, len(done) + 1) / n * 100,
                                 mode="lines", line={"shape": "hv", "color": "#4c72b0"},
                                 name="posts with a first reply by then"))
    for label, limit in WINDOWS:
        fig.add_vline(x=limit / 60.0, line={"color": "#c44e52", "dash": "dot"},
                      annotation_text=f"expected {label}", annotation_position="top left")
    fig.update_layout(height=330, margin={"t": 30, "b": 40, "l": 40, "r": 10}, showlegend=False,
                      xaxis={"title": "minutes after the post (log scale)", "type": "log", "range": [-0.5, 3.4]},
                      yaxis={"title": "% of posts that ask for a reply", "range": [0, 101]},
                      title="first reply times against what customers expect")
    st.plotly_chart(fig, key="reply_figure")
    ui.metric_table(result["table"], {})
    if result["visible"] is not None:
        v = result["visible"]
        vis = go.Figure(go.Bar(x=[f"{int(t // 3600):02d}:{int(t % 3600 // 60):02d}" for t in v.index], y=v.to_numpy(),
                               marker_color="#c44e52"))
        vis.update_layout(height=260, margin={"t": 30, "b": 40, "l": 40, "r": 10},
                          title="what others see: unanswered public complaints visible, by half-hour",
                          yaxis_title="complaints", xaxis_title="time of day")
        st.plotly_chart(vis, key="visible_figure")

ui.question(
    "Going from 3 to 4 social agents costs one more salary. What does it buy: how much faster are first replies, "
    "how many fewer negative impressions, how many customers kept? Is there a point where another agent buys almost "
    "nothing?",
    "- Reply times fall steeply with the first extra agents and then flatten, like the service level of lesson 1.\n"
    "- Others see unanswered complaints: the harm grows with the delay and with the author's reach, and pile-ons make "
    "a slow reply cost more than one customer.\n"
    "- Posts the desk chooses not to answer do harm whatever the staffing: triage is a decision, not a queue.\n"
    "- Customers lost are few and noisy (wide confidence intervals): switch on *More precision* before concluding.")
ui.download(DelayInputs(agents, concurrency, answer, excitation).scenario(reps), "lesson_reputation.toml",
            "Lesson 4 of the contactsim teaching app: response delay and reputation (contactsim app).\n"
            "A day of social posts with the reputation model, as set on the page.")
