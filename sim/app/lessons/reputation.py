"""Lesson 4 page: response delay and reputation (social team size → reply times against expectations → what others
see → customers retained, lost and won, and money)."""
import plotly.graph_objects as go
import streamlit as st

from sim.app import ui
from sim.app.delay import CHOICES, EXPECTATIONS, DelayInputs, compute

QUICK, PRECISE = 2, 20  # every value a control offers is on the precomputed grid (sim.app.grid)


@st.cache_data(max_entries=256, show_spinner="Simulating the day…")
def run(inputs: DelayInputs, replications: int):
    return compute(inputs, replications)


ui.lesson("4 · Response delay and reputation", """
A complaint posted in public is seen by others: the author's followers, people searching, people who join in. Every
customer also **expects** a reply within some time — surveys say a third of complainers expect one within 30
minutes. Here a social desk answers a day of posts (about 240: complaints, questions, praise) as **messaging**:
agents work only on replies, each thread waits for the customer between replies, and a customer whose message waits
too long leaves without a word. Change the team and watch: first replies against what customers expect, what
**other people see**, and the **customers retained, lost and won** — with what they are worth.
""")

left, right = ui.controls()
with left:
    agents = st.slider("Social agents on shift", CHOICES["agents"][0], CHOICES["agents"][-1], 3, 1, key="agents")
    concurrency = st.slider("Threads an agent holds at once (cap)", CHOICES["concurrency"][0], CHOICES["concurrency"][-1], 3,
                            1, key="concurrency",
                            help="each extra thread slows every reply by 18% (Goes, Ilk, Lin & Zhao 2018)")
    answer = st.slider("Share of complaints the desk answers at all", CHOICES["answer_complaints"][0],
                       CHOICES["answer_complaints"][-1], 0.9, 0.1, key="answer_complaints",
                       help="triage: brands answer fewer than half of complaints (Gunarathne, Rui & Seidmann 2018)")
    excitation = st.slider("How readily others pile on (excitation)", CHOICES["excitation"][0],
                           CHOICES["excitation"][-1], 0.3, 0.1, key="excitation",
                           help="self-exciting complaints (Rizoiu et al. 2017); 0.3–0.5 in the domain notes")
    expect = st.radio("What customers expect (survey)", list(EXPECTATIONS), key="expectations",
                      format_func=lambda k: EXPECTATIONS[k])
    reps = ui.replications("precise_4", quick=QUICK, precise=PRECISE)
    inputs = DelayInputs(agents, concurrency, round(answer, 2), round(excitation, 2), expect)

with right:
    result = ui.result("reputation", inputs, run, reps, bool(st.session_state.get("precise_4")))
    tab = result["table"].set_index("metric")
    c = st.columns(4)
    for col, (metric, label, unit, digits) in zip(c, (
            ("first_response_median_s", "First reply, median", "min", 1),
            ("customers_lost", "Customers lost in the day", "", 0),
            ("customers_won", "Customers won", "", 0),
            ("revenue_net", "Net money of the day", "$", 0))):
        ui.metric(col, label, tab.at[metric, "simulated"], tab.at[metric, "half_width"], unit, digits)
    cv = result["curve"]
    fig = go.Figure()
    fig.add_trace(go.Scatter(x=cv["minutes"], y=cv["replied"], name="posts with a first reply by then",
                             line={"shape": "hv", "color": "#4c72b0"}))
    fig.add_trace(go.Scatter(x=cv["minutes"], y=cv["expected"], name="customers who expect one by then",
                             line={"color": "#c44e52", "dash": "dash"}))
    fig.update_layout(height=330, margin={"t": 30, "b": 40, "l": 40, "r": 10}, legend={"orientation": "h", "y": -0.3},
                      xaxis={"title": "minutes after the post (log scale)", "type": "log"},
                      yaxis={"title": "% of posts that ask for a reply", "range": [0, 101]},
                      title="first replies against what customers expect: right of the red line, they are let down")
    st.plotly_chart(fig, key="reply_figure")
    ui.metric_table(result["table"], {})
    led = result["ledger"]
    if len(led):
        bars = go.Figure([go.Bar(x=led["clock"], y=led["silent_churned"], name="silent majority lost",
                                 marker_color="#e8a0a2"),
                          go.Bar(x=led["clock"], y=led["churned"], name="contacting customers lost",
                                 marker_color="#c44e52"),
                          go.Bar(x=led["clock"], y=led["customers_won"], name="customers won",
                                 marker_color="#55a868")])
        bars.update_layout(barmode="group", height=280, margin={"t": 30, "b": 40, "l": 40, "r": 10},
                           title="the manager's ledger: customers lost and won, by half-hour",
                           yaxis_title="customers", xaxis_title="time of day", legend={"orientation": "h", "y": -0.35})
        st.plotly_chart(bars, key="ledger_figure")

ui.question(
    "Going from 3 to 4 social agents costs one more salary (about $720 a day). What does it buy: how much faster are "
    "first replies, how many customers kept, how much money? Is there a point where another agent buys almost nothing?",
    "- Reply times fall steeply with the first extra agents and then flatten, like the service level of lesson 1.\n"
    "- Customers are let down when the reply comes after what *they* expected, not after a target: compare the blue "
    "curve with the red one, and switch the survey.\n"
    "- Most customers lost never wrote: the silent majority who saw complaints go unanswered. Their loss follows the "
    "share of complaint views made while unanswered.\n"
    "- Posts the desk chooses not to answer do harm whatever the staffing: triage is a decision, not a queue.\n"
    "- Customers lost are noisy (wide confidence intervals): switch on *More replications* before concluding.")
ui.download(inputs.scenario(int(result["replications"])), "lesson_reputation.toml",
            "Lesson 4 of the contactsim teaching app: response delay and reputation (contactsim app).\n"
            "A day of social posts as messaging, with the reputation model and customers' expectations, as set on "
            "the page.")
