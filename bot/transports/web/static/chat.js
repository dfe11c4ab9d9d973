// The chat page's script. It builds every element with createElement and textContent: nothing received
// (answers, labels, links) is ever parsed as HTML. Links open only http(s) and tel: addresses.
"use strict";

(function () {
  const log = document.getElementById("log");
  const form = document.getElementById("ask");
  const input = document.getElementById("question");
  const send = document.getElementById("send");
  const status = document.getElementById("status");
  const SAFE_LINK = /^(https?:|tel:)/i;

  function el(tag, className, text) {
    const node = document.createElement(tag);
    if (className) node.className = className;
    if (text !== undefined) node.textContent = text;
    return node;
  }

  function link(span) {
    const href = span.tel || span.url;
    if (!href || !SAFE_LINK.test(href)) return el("span", "", span.text);
    const a = el("a", "", span.text);
    a.href = href;
    if (span.url) {
      a.target = "_blank";
      a.rel = "noopener noreferrer";
    }
    return a;
  }

  function spanNode(span) {
    const node = span.url || span.tel ? link(span) : document.createTextNode(span.text);
    if (!span.strong) return node;
    const strong = el("strong");
    strong.appendChild(node);
    return strong;
  }

  function scrollDown(node) {
    node.scrollIntoView({ block: "nearest" });
  }

  function addMine(text) {
    const node = el("div", "msg msg-me", text);
    log.appendChild(node);
    scrollDown(node);
  }

  function addNotice(text) {
    const node = el("div", "msg msg-bot", text);
    log.appendChild(node);
    scrollDown(node);
  }

  function drawReply(reply) {
    const urgent = reply.kind === "urgent";
    const node = el("article", "msg msg-bot" + (urgent ? " msg-urgent" : ""));
    node.setAttribute("aria-label", urgent ? "Urgent: a child may be at risk" : "Answer");
    if (urgent) node.appendChild(el("strong", "urgent-banner", "Urgent: a child may be at risk"));
    for (const block of reply.blocks) {
      const p = el("p");
      block.forEach(function (line, index) {
        if (index) p.appendChild(el("br"));
        for (const span of line) p.appendChild(spanNode(span));
      });
      node.appendChild(p);
    }
    if (reply.buttons.length) node.appendChild(buttonRow(reply.buttons));
    if (reply.feedback.length) node.appendChild(feedbackRow(reply.feedback));
    log.appendChild(node);
    scrollDown(node);
  }

  function buttonRow(buttons) {
    const row = el("div", "buttons");
    row.setAttribute("role", "group");
    row.setAttribute("aria-label", buttons.some(function (b) { return b.choice; }) ? "Did you mean" : "Follow-ups");
    for (const button of buttons) {
      if (button.url) {
        if (!SAFE_LINK.test(button.url)) continue;
        const a = el("a", "button", button.label);
        a.href = button.url;
        a.target = "_blank";
        a.rel = "noopener noreferrer";
        row.appendChild(a);
        continue;
      }
      const b = el("button", button.choice ? "choice" : "", button.label);
      b.type = "button";
      b.addEventListener("click", function () {
        if (button.choice) {
          for (const other of row.querySelectorAll("button.choice")) other.disabled = true;
          b.classList.add("chosen");
        }
        addMine(button.label);
        call("/api/action", { action: button.action });
      });
      row.appendChild(b);
    }
    return row;
  }

  function feedbackRow(buttons) {
    const row = el("div", "buttons feedback");
    row.setAttribute("role", "group");
    row.setAttribute("aria-label", "Was this helpful?");
    for (const button of buttons) {
      const b = el("button", "", button.label);
      b.type = "button";
      b.addEventListener("click", async function () {
        for (const other of row.querySelectorAll("button")) other.disabled = true;
        const answer = await post("/api/feedback", { action: button.action });
        row.replaceChildren(el("span", "", answer && answer.body.text ? answer.body.text : "Thank you."));
      });
      row.appendChild(b);
    }
    return row;
  }

  async function post(path, body) {
    try {
      const response = await fetch(path, {
        method: "POST",
        headers: { "Content-Type": "application/json" },
        body: JSON.stringify(body),
        credentials: "omit",
        cache: "no-store",
      });
      const data = await response.json().catch(function () { return {}; });
      return { status: response.status, body: data, retry: response.headers.get("Retry-After") };
    } catch (error) {
      return null;
    }
  }

  async function call(path, body) {
    status.textContent = "Looking that up…";
    log.setAttribute("aria-busy", "true");
    send.disabled = true;
    const answer = await post(path, body);
    log.setAttribute("aria-busy", "false");
    send.disabled = false;
    status.textContent = "";
    if (answer === null) {
      addNotice("Sorry, I could not reach the assistant. Please try again. If a child is in immediate danger, call 999 now.");
    } else if (answer.status === 429) {
      addNotice("Too many questions at once: please wait " + (answer.retry || "a few") + " seconds and try again.");
    } else if (answer.status === 413) {
      addNotice("That message is too long: please shorten it.");
    } else if (answer.status !== 200) {
      addNotice("Sorry, something went wrong. Please try again. If a child is in immediate danger, call 999 now.");
    } else {
      drawReply(answer.body);
    }
  }

  form.addEventListener("submit", function (event) {
    event.preventDefault();
    const question = input.value.trim();
    if (!question) return;
    input.value = "";
    addMine(question);
    call("/api/ask", { question: question }).then(function () { input.focus(); });
  });

  input.addEventListener("keydown", function (event) {
    if (event.key === "Enter" && !event.shiftKey && !event.isComposing) {
      event.preventDefault();
      form.requestSubmit();
    }
  });

  const payload = new URLSearchParams(window.location.search).get("start");
  call("/api/start", { payload: payload || null });
})();
