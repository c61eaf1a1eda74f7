// Parse a markwhen document from stdin with @markwhen/parser; print what kztj's tests check, as JSON.
import { readFileSync } from "node:fs";
import { parse } from "@markwhen/parser";

const parsed = parse(readFileSync(0, "utf8"));
const events = [];
const groups = [];
function walk(node) {
  if (node.children) {
    if (node !== parsed.events) groups.push(node.title);
    node.children.forEach(walk);
  } else {
    events.push({
      from: node.dateRangeIso.fromDateTimeIso,
      to: node.dateRangeIso.toDateTimeIso,
      title: node.firstLine.restTrimmed,
      id: node.id ?? null,
      tags: node.tags,
      properties: node.properties,
      percent: node.percent ?? null,
      completed: node.completed ?? null,
      locations: node.locations ?? [],
      supplemental: node.supplemental.map((block) => block.raw ?? null),
      listItems: node.matchedListItems.length,
    });
  }
}
walk(parsed.events);
console.log(JSON.stringify({ header: parsed.header, events, groups, messages: parsed.parseMessages }));
