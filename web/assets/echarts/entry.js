// ECharts with only what web/static/dashboard.js draws: line and bar series
// on a cartesian grid (category and value axes), an axis tooltip, a plain
// legend, the aria description, on canvas. A chart option that needs more
// (a pie, dataZoom, a scrolling legend, markers, the SVG renderer...) must
// add its part here and be rebuilt: `go generate ./web`.
import { init, use, version } from 'echarts/core';
import { LineChart, BarChart } from 'echarts/charts';
import {
  GridComponent,
  TooltipComponent,
  LegendPlainComponent,
  AriaComponent,
} from 'echarts/components';
import { CanvasRenderer } from 'echarts/renderers';

use([
  LineChart,
  BarChart,
  GridComponent,
  TooltipComponent,
  LegendPlainComponent,
  AriaComponent,
  CanvasRenderer,
]);

// dashboard.js looks for window.echarts and calls init; nothing else of the
// full build's namespace is exposed, so the rest can be shaken out.
window.echarts = { init, version };
