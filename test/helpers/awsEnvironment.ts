import { inject } from 'vitest';

// Point every AWS SDK client created in this test file at the local moto_server.
process.env.AWS_ENDPOINT_URL = inject('motoEndpoint');
process.env.AWS_REGION = 'us-east-1';
process.env.AWS_ACCESS_KEY_ID = 'testing';
process.env.AWS_SECRET_ACCESS_KEY = 'testing';
delete process.env.AWS_PROFILE;
