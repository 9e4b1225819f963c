// The handler's metrics, by the names in docs/contracts.md.
import { DimensionedMetrics, MetricUnit } from "../shared/metrics";

/** `reason` of ImagesFailed for a message that is not an S3 notification at all (no row can say so). */
export const MALFORMED_MESSAGE_REASON = "malformed-message";

export class ThumbnailMetrics {
  constructor(private readonly metrics: DimensionedMetrics) {}

  processed(inputBytes: number, outputBytes: number): void {
    this.metrics.add("ImagesProcessed", MetricUnit.Count, 1);
    this.metrics.add("InputBytes", MetricUnit.Bytes, inputBytes);
    this.metrics.add("OutputBytes", MetricUnit.Bytes, outputBytes);
  }

  failed(reason: string): void {
    this.metrics.addWith("reason", reason, "ImagesFailed", MetricUnit.Count, 1);
  }

  duplicate(): void {
    this.metrics.add("DuplicateDeliveries", MetricUnit.Count, 1);
  }

  stage(stage: string, milliseconds: number): void {
    this.metrics.addWith("stage", stage, "StageDuration", MetricUnit.Milliseconds, milliseconds);
  }

  flush(): void {
    this.metrics.flush();
  }
}
