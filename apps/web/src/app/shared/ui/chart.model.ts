// The series shape ngx-charts' line chart takes, typed for what this app plots.
export interface TimePoint {
  name: Date;
  value: number;
}

export interface TimeSeries {
  name: string;
  series: readonly TimePoint[];
}

// A point that summarises several samples: ngx-charts draws `value` as the line and shades the
// band between `min` and `max` around it.
export interface BandPoint extends TimePoint {
  min: number;
  max: number;
}

export interface BandSeries {
  name: string;
  series: readonly BandPoint[];
}
