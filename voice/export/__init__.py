"""Exports of a skill to the platforms that host it: an Alexa skill package and a Dialogflow ES agent.

from voice import load_skill
from voice.export import alexa_package, dialogflow_agent

alexa_package(load_skill("customer_service"), "en-US").write(Path("build"))
dialogflow_agent(load_skill("customer_service")).write(Path("build/agent.zip"))
"""

from .alexa import AlexaPackage, alexa_package
from .alexa_rules import check_interaction_model
from .common import ExportError
from .dialogflow import DialogflowAgent, dialogflow_agent

__all__ = [
    "AlexaPackage",
    "DialogflowAgent",
    "ExportError",
    "alexa_package",
    "check_interaction_model",
    "dialogflow_agent",
]
