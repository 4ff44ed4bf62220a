// The series shape ngx-charts' line chart takes, typed for what this app plots.
export interface TimePoint {
  name: Date;
  value: number;
}

export interface TimeSeries {
  name: string;
  series: readonly TimePoint[];
}
