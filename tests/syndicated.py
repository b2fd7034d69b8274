# ruff: noqa: E501  (wire copy is kept as published: one paragraph per line)
"""Hand-made syndicated variants of wire stories, for near-duplicate tests and bench/duplicates.py.

Each ORIGINAL has variants a syndicating site might publish (new headline, a trimmed paragraph,
light copy-editing, an added boilerplate line) and DIFFERENT stories on the same topic, which must
not be linked to it.
"""

from __future__ import annotations

PORT_STRIKE = """ROTTERDAM (Reuters) - Dockworkers at Europe's largest port walked off the job on Monday in a dispute over automation, leaving dozens of container ships waiting at anchor in the North Sea and threatening deliveries to factories across Germany and the Netherlands.

The FNV union said about 4,000 workers joined the 48-hour stoppage after talks with terminal operators broke down late on Sunday. The union wants guarantees that no jobs will be cut when new automated cranes come into service next year.

"We are not against progress, but we will not let our members pay for it," union negotiator Niek Stam told reporters outside the main gate of the Maasvlakte terminal.

The port authority said it expected the backlog to take at least a week to clear once work resumes. Shipping lines including Maersk and MSC said they were diverting some vessels to Antwerp and Hamburg.

Terminal operators said the union's demands would make the port less competitive and that they had offered a retraining programme for every affected worker. A spokesman for the employers' group said it was ready to return to the table at any time.

Economists warned that a prolonged strike could add to supply chain pressures at a time when European manufacturers are already struggling with high energy costs."""

PORT_STRIKE_VARIANTS = {
    # a different headline and the last paragraph trimmed
    "trimmed": PORT_STRIKE.rsplit("\n\n", 1)[0],
    # copy-edited: a few words changed, a paragraph dropped in the middle, a boilerplate line added
    "edited": PORT_STRIKE.replace("walked off the job", "went on strike")
    .replace("told reporters", "said")
    .replace("\n\nThe port authority said it expected the backlog to take at least a week to "
             "clear once work resumes. Shipping lines including Maersk and MSC said they were "
             "diverting some vessels to Antwerp and Hamburg.", "")
    + "\n\n(Reporting by Bart Meijer; Editing by Mark Potter)",
    # the dateline rewritten by the syndicating site and two paragraphs swapped
    "reordered": "ROTTERDAM, Netherlands - " + PORT_STRIKE.split(" - ", 1)[1].replace(
        "The FNV union said", "The union FNV said"),
}

# Same topic (a port strike), different story: must stay separate.
OTHER_PORT_STRIKE = """ANTWERP (AFP) - Belgian port workers staged a one-day strike on Thursday against a pension reform, halting most container traffic at Antwerp-Bruges for the second time this month.

The socialist union ABVV said the government's plan to raise the retirement age for dock labour would force older workers to keep doing physically demanding night shifts.

Prime Minister Alexander De Croo said the reform was needed to keep the pension system affordable and that talks with the unions would continue next week.

Port officials said about 30 ships were delayed and that cargo handling would return to normal by the weekend. Several freight forwarders said they had rerouted urgent shipments to Rotterdam."""

STORM = """MIAMI (AP) - Hurricane Delia strengthened to a Category 3 storm on Wednesday as it moved toward the Bahamas, and forecasters said it could reach the Florida coast by the weekend.

The National Hurricane Center said Delia had maximum sustained winds of 120 mph and was moving northwest at 12 mph. Hurricane warnings were posted for the northwestern Bahamas.

Florida Governor Ron DeSantis declared a state of emergency for 12 coastal counties and urged residents to prepare supplies of water, food and medicine for at least a week.

"Do not wait until the last minute," DeSantis said at a news conference in Tallahassee. "If you are told to evacuate, leave."

Cruise lines cancelled or rerouted several sailings from Miami and Fort Lauderdale, and airlines offered travel waivers for flights to the Bahamas and South Florida."""

STORM_VARIANTS = {
    "trimmed": STORM.rsplit("\n\n", 1)[0],
    "edited": STORM.replace("strengthened to", "grew into").replace("urged residents",
                                                                     "told residents")
    + "\n\nCopyright 2024 The Associated Press. All rights reserved.",
}

OTHER_STORM = """TAMPA, Fla. (Reuters) - Residents of Florida's Gulf Coast were cleaning up on Saturday after Tropical Storm Ernesto brought flooding rains and knocked out power to more than 200,000 homes and businesses.

Utility Duke Energy said crews from several states were working to restore service and that most customers should have power back by Monday. Several roads in Pinellas County remained closed because of standing water.

No deaths were reported, but emergency officials urged people to stay away from floodwaters, which can hide downed power lines and debris."""

ORIGINALS = {"port": PORT_STRIKE, "storm": STORM}
VARIANTS = {"port": PORT_STRIKE_VARIANTS, "storm": STORM_VARIANTS}
DIFFERENT = {"port": OTHER_PORT_STRIKE, "storm": OTHER_STORM}
