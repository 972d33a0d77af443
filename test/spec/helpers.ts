// Builders shared by the spec tests: a valid Pod to break one field at a time.

export type Obj = Record<string, any>;

export function validPod(): Obj {
  return {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: { name: 'web', namespace: 'team-a', labels: { app: 'web' }, annotations: { 'example.com/owner': 'me' } },
    spec: {
      restartPolicy: 'OnFailure',
      volumes: [{ name: 'data', hostPath: { path: '/tmp', type: 'Directory' } }],
      initContainers: [{ name: 'init', image: '/m/init.wasm' }],
      containers: [
        {
          name: 'app',
          image: '/m/app.wasm',
          args: ['--port', '8080'],
          env: [{ name: 'MODE', value: 'prod' }],
          ports: [{ name: 'http', containerPort: 8080 }],
          volumeMounts: [{ name: 'data', mountPath: '/data', readOnly: true }],
          resources: { limits: { cpu: '1', memory: '128Mi' }, requests: { cpu: '250m', memory: '64Mi' } },
        },
        { name: 'side', image: '/m/side.wasm' },
      ],
    },
  };
}
