// @ts-check
// The booking page's choices (service, day, slot): a radio group of large tiles, rebuilt only
// when its content changes, so the focus and the arrows' place in it survive a re-render.

/** items: [{value, main, sub, disabled, full}] as radios named `name` in `box`. */
export function renderChoices(box, name, items, chosen) {
  const sig = JSON.stringify(items);
  if (box.dataset.sig !== sig) {
    const focused = box.contains(document.activeElement)
      ? /** @type {HTMLInputElement} */ (document.activeElement).value : null;
    box.dataset.sig = sig;
    box.replaceChildren(...items.map((item) => choice(name, item)));
    if (focused) box.querySelector(`input[value="${CSS.escape(focused)}"]`)?.focus();
  }
  for (const input of box.querySelectorAll("input")) input.checked = input.value === chosen;
}

function choice(name, item) {
  const label = document.createElement("label");
  label.className = `choice${item.full ? " full" : ""}`;
  label.dataset.value = item.value;
  const input = document.createElement("input");
  input.type = "radio";
  input.name = name;
  input.value = item.value;
  input.disabled = Boolean(item.disabled);
  const main = document.createElement("span");
  main.className = "c-main";
  main.textContent = item.main;
  const sub = document.createElement("span");
  sub.className = "c-sub";
  sub.textContent = item.sub ?? "";
  label.append(input, main, sub);
  return label;
}
