// One mocked Lambda function + SSM + SNS whose state changes on update, so
// concurrent remediations race on it exactly as they would on AWS: the
// RevisionId check and the parameter's LastModifiedDate behave as documented.
import { GetFunctionConfigurationCommand, LambdaClient, PreconditionFailedException, UpdateFunctionConfigurationCommand } from "@aws-sdk/client-lambda";
import { CloudWatchClient, SetAlarmStateCommand } from "@aws-sdk/client-cloudwatch";
import { PublishCommand, SNSClient } from "@aws-sdk/client-sns";
import { GetParameterCommand, ParameterNotFound, PutParameterCommand, SSMClient } from "@aws-sdk/client-ssm";
import { mockClient } from "aws-sdk-client-mock";

export interface FunctionWorldOptions {
  memoryMb: number;
  lastModified: Date;
  /** An existing floor parameter. */
  floor?: { name: string; value: string; at: Date };
  /** Delay (ms) before each mocked call answers; varied per call to shuffle interleavings. */
  latency?: () => number;
}

export function fakeFunctionWorld(opts: FunctionWorldOptions, now: () => Date) {
  const lambda = new LambdaClient({ region: "eu-central-1" });
  const ssm = new SSMClient({ region: "eu-central-1" });
  const sns = new SNSClient({ region: "eu-central-1" });
  const cloudwatch = new CloudWatchClient({ region: "eu-central-1" });
  const cloudwatchMock = mockClient(cloudwatch);
  cloudwatchMock.on(SetAlarmStateCommand).resolves({});
  const lambdaMock = mockClient(lambda);
  const ssmMock = mockClient(ssm);
  const snsMock = mockClient(sns);
  const wait = () => new Promise<void>((resolve) => setTimeout(resolve, opts.latency ? opts.latency() : 0));

  const fn = { memoryMb: opts.memoryMb, revision: 1, lastModified: opts.lastModified, updates: [] as number[] };
  const parameters = new Map<string, { value: string; at: Date }>();
  const published: { topic: string | undefined; subject: string | undefined; message: string }[] = [];

  // Lambda formats LastModified as "2024-01-02T03:04:05.678+0000".
  const lambdaTime = (d: Date) => d.toISOString().replace("Z", "+0000");

  lambdaMock.on(GetFunctionConfigurationCommand).callsFake(async () => {
    await wait();
    return { MemorySize: fn.memoryMb, RevisionId: `rev-${fn.revision}`, LastModified: lambdaTime(fn.lastModified) };
  });
  lambdaMock.on(UpdateFunctionConfigurationCommand).callsFake(async (input: { MemorySize?: number; RevisionId?: string }) => {
    await wait();
    if (input.RevisionId !== `rev-${fn.revision}`) {
      throw new PreconditionFailedException({
        message: "The Revision Id provided does not match the latest Revision Id. Call the GetFunction/GetAlias API to retrieve the latest Revision Id",
        $metadata: { httpStatusCode: 412 },
      });
    }
    fn.memoryMb = input.MemorySize ?? fn.memoryMb;
    fn.revision += 1;
    fn.lastModified = now();
    fn.updates.push(fn.memoryMb);
    return { MemorySize: fn.memoryMb, RevisionId: `rev-${fn.revision}` };
  });
  if (opts.floor) parameters.set(opts.floor.name, { value: opts.floor.value, at: opts.floor.at });
  ssmMock.on(GetParameterCommand).callsFake(async (input: { Name: string }) => {
    await wait();
    const p = parameters.get(input.Name);
    if (!p) throw new ParameterNotFound({ message: `Parameter ${input.Name} not found.`, $metadata: { httpStatusCode: 400 } });
    return { Parameter: { Name: input.Name, Value: p.value, LastModifiedDate: p.at, Type: "String", Version: 1 } };
  });
  ssmMock.on(PutParameterCommand).callsFake(async (input: { Name: string; Value: string }) => {
    await wait();
    parameters.set(input.Name, { value: input.Value, at: now() });
    return { Version: 2 };
  });
  snsMock.on(PublishCommand).callsFake(async (input: { TopicArn?: string; Subject?: string; Message: string }) => {
    published.push({ topic: input.TopicArn, subject: input.Subject, message: input.Message });
    return { MessageId: `m-${published.length}` };
  });

  return { lambda, ssm, sns, cloudwatch, lambdaMock, ssmMock, snsMock, cloudwatchMock, fn, parameters, published };
}
