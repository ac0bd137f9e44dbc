// Types of lib/uplot.js: uPlot's own, from the npm package the build vendors it from.
import uPlot from 'uplot';
export default uPlot;
