// uplot ships dist/uPlot.d.ts without a `types` entry; point the checker at it.
declare module 'uplot' {
  import uPlot = require('uplot/dist/uPlot');
  export default uPlot;
}
