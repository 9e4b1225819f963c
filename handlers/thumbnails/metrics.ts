// The handler's metrics, by the names in contracts/metrics.ts.
import { DIMENSIONS, THUMBNAIL_METRICS as M } from "../../contracts";
import { DimensionedMetrics, MetricUnit } from "../shared/metrics";

/** `reason` of ImagesFailed for a message that is not an S3 notification at all (no row can say so). */
export const MALFORMED_MESSAGE_REASON = "malformed-message";

export class ThumbnailMetrics {
  constructor(private readonly metrics: DimensionedMetrics) {}

  processed(inputBytes: number, outputBytes: number): void {
    this.metrics.add(M.imagesProcessed, MetricUnit.Count, 1);
    this.metrics.add(M.inputBytes, MetricUnit.Bytes, inputBytes);
    this.metrics.add(M.outputBytes, MetricUnit.Bytes, outputBytes);
  }

  failed(reason: string): void {
    this.metrics.addWith(DIMENSIONS.reason, reason, M.imagesFailed, MetricUnit.Count, 1);
  }

  duplicate(): void {
    this.metrics.add(M.duplicateDeliveries, MetricUnit.Count, 1);
  }

  stage(stage: string, milliseconds: number): void {
    this.metrics.addWith(DIMENSIONS.stage, stage, M.stageDuration, MetricUnit.Milliseconds, milliseconds);
  }

  flush(): void {
    this.metrics.flush();
  }
}
