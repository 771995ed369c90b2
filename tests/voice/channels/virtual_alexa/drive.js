// Drives a running voice server over HTTP with virtual-alexa, the way an Echo would.
//
//   node drive.js script.json
//
// script.json: {"skillURL": "http://127.0.0.1:PORT/alexa", "interactionModel": "<exported en-US.json>",
//               "locale": "en-US", "steps": [{"launch": true}, {"utter": "what are your opening hours"},
//               {"intend": "BookAppointment", "slots": {"date": "2026-12-01"}}, {"end": true}]}
//
// Prints one JSON line per step: {"step": i, "request": <what Alexa sent>, "response": <what the skill said>}
// or {"step": i, "error": "..."}; exits 1 after the first error.
"use strict";

const fs = require("fs");
const { VirtualAlexa } = require("virtual-alexa");

function build(script) {
    return VirtualAlexa.Builder()
        .skillURL(script.skillURL)
        .interactionModelFile(script.interactionModel)
        .locale(script.locale || "en-US")
        .applicationID(script.applicationID || "amzn1.ask.skill.virtual-alexa")
        .create();
}

function send(alexa, step) {
    if (step.launch) {
        return alexa.launch();
    }
    if (step.utter !== undefined) {
        return alexa.utter(step.utter);
    }
    if (step.intend !== undefined) {
        return alexa.intend(step.intend, step.slots || {});
    }
    if (step.end) {
        return alexa.endSession("USER_INITIATED");
    }
    return Promise.reject(new Error("a step needs launch, utter, intend or end: " + JSON.stringify(step)));
}

async function main() {
    const script = JSON.parse(fs.readFileSync(process.argv[2], "utf8"));
    const alexa = build(script);
    let request = null;
    alexa.filter((json) => {
        request = json;
    });
    for (const [index, step] of script.steps.entries()) {
        try {
            const response = await send(alexa, step);
            console.log(JSON.stringify({ step: index, request, response }));
        } catch (error) {
            console.log(JSON.stringify({ step: index, request, error: String(error && error.message || error) }));
            process.exit(1);
        }
    }
}

main();
