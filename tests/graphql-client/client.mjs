// Real GraphQL clients against a GraphQL mock (run by GraphQlClientTests): graphql-js reads the schema by
// introspection and rebuilds it (buildClientSchema), and graphql-request runs a query with variables and a mutation.
// Usage: node client.mjs <endpoint URL>; prints one JSON object.
import { buildClientSchema, getIntrospectionQuery, printSchema, validate, parse } from 'graphql';
import { GraphQLClient, gql } from 'graphql-request';

const url = process.argv[2];
const introspection = await fetch(url, {
  method: 'POST',
  headers: { 'content-type': 'application/json', accept: 'application/graphql-response+json, application/json' },
  body: JSON.stringify({ query: getIntrospectionQuery() }),
});
const introspected = await introspection.json();
if (introspected.errors) throw new Error('introspection failed: ' + JSON.stringify(introspected.errors));
const schema = buildClientSchema(introspected.data);
const query = gql`
  query GetUser($id: ID!) {
    user(id: $id) { id name email role friends { name } }
  }
`;
const problems = validate(schema, parse(query)).map((e) => e.message);
const client = new GraphQLClient(url);
const data = await client.request(query, { id: '42' });
const created = await client.request(gql`mutation { createUser(name: "Grace") { id name } }`);
let refused = null;
try {
  await client.request(gql`{ user(id: "1") { nope } }`);
} catch (error) {
  refused = error.response?.errors?.[0]?.message ?? String(error);
}
console.log(JSON.stringify({ sdl: printSchema(schema), contentType: introspection.headers.get('content-type'), problems, data, created, refused }));
