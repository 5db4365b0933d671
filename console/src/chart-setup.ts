// Chart.js with only the pieces the dashboard draws (a donut and bars) registered, so the bundle
// carries no other chart types. Loaded on demand (charts.tsx): screens without charts never fetch it.
import { ArcElement, BarController, BarElement, CategoryScale, Chart, DoughnutController, Legend, LinearScale, Tooltip } from 'chart.js';

Chart.register(ArcElement, BarController, BarElement, CategoryScale, DoughnutController, Legend, LinearScale, Tooltip);

export { Chart };
