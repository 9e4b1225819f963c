// Has the upload's file arrived? One HEAD on the raw key.
import { HeadObjectCommand, NotFound, S3ServiceException, type S3Client } from "@aws-sdk/client-s3";

export async function objectArrived(s3: S3Client, bucket: string, key: string): Promise<boolean> {
  try {
    await s3.send(new HeadObjectCommand({ Bucket: bucket, Key: key }));
    return true;
  } catch (error) {
    if (error instanceof NotFound || (error instanceof S3ServiceException && error.$metadata.httpStatusCode === 404)) return false;
    throw error;
  }
}
