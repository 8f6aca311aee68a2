// The parts of Observable Plot the dashboard draws with. Only lib/charts.ts imports this file,
// dynamically: importing Plot's whole namespace that way would keep every mark in the chunk.
export { barX, plot, ruleX, text } from '@observablehq/plot';
